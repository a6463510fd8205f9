# Golden values for tests/validation/test_goldens.py, so that check runs without R.
#
# Run from the repository root:
#     Rscript tests/validation/make_goldens.R
# Needs R with the survival package (apt-get install r-base-core r-cran-survival).
# Writes tests/validation/golden/{lung,aml,expected,ovarian,separated,cox}.csv; commit them all.
#
# lung.csv: survival::lung (time in days; status 1 = censored, 2 = dead; sex 1 = male, 2 = female)
# aml.csv:  survival::aml (time in weeks; status 1 = event; x = Maintained / Nonmaintained)
# expected.csv, long format: dataset, subset, conf_type, confidence, quantity, index, value
#   quantity: curve_<column> (index = row of summary(fit, censored = TRUE)),
#             landmark_<column> (index = landmark time; a time R drops has no row),
#             quantile_<estimate|lower|upper> (index = p), median_followup (index = 0).
#   value "NA" where R gives NA or NaN.
# ovarian.csv:   survival::ovarian (futime in days; fustat 1 = dead; rx 1 = reference, 2)
# separated.csv: a small made-up trial (time, status, arm slow = reference / fast) whose
#                hazard ratio is about 30
# cox.csv, long format: dataset, arm, confidence, quantity, value; what the ledger's
#   comparisons block holds, from coxph(..., ties = "efron", control = coxph.control(eps =
#   1e-14, iter.max = 100)) (the exact maximum, not R's default stopping point) and survdiff:
#   quantity hazard_ratio, ci_low, ci_high, p_value (Wald) per arm; logrank_chisq,
#   logrank_df, logrank_p (arm "-").

suppressMessages(library(survival))

args <- commandArgs(trailingOnly = FALSE)
script <- sub("^--file=", "", args[grep("^--file=", args)])
out_dir <- file.path(dirname(normalizePath(script)), "golden")
dir.create(out_dir, showWarnings = FALSE)

num <- function(x) ifelse(is.na(x), "NA", sprintf("%.17g", x))

lung <- survival::lung[, c("time", "status", "sex")]
aml <- survival::aml[, c("time", "status", "x")]
write.csv(lung, file.path(out_dir, "lung.csv"), row.names = FALSE)
write.csv(aml, file.path(out_dir, "aml.csv"), row.names = FALSE)

rows <- list()
add <- function(key, quantity, index, value) {
  rows[[length(rows) + 1]] <<- data.frame(key, quantity = quantity, index = num(index), value = num(value))
}

golden <- function(dataset, subset, time, event, landmarks) {
  for (ct in c("log-log", "log", "plain")) for (cl in c(0.95, 0.90)) {
    key <- data.frame(dataset = dataset, subset = subset, conf_type = ct, confidence = sprintf("%g", cl))
    f <- survfit(Surv(time, event) ~ 1, conf.type = ct, conf.int = cl)
    s <- summary(f, censored = TRUE)
    columns <- list(time = s$time, n_risk = s$n.risk, n_event = s$n.event, n_censor = s$n.censor,
                    surv = s$surv, lower = s$lower, upper = s$upper)
    for (name in names(columns)) add(key, paste0("curve_", name), seq_along(s$time), columns[[name]])
    s <- summary(f, times = landmarks, extend = FALSE)
    columns <- list(surv = s$surv, lower = s$lower, upper = s$upper, n_risk = s$n.risk)
    for (name in names(columns)) add(key, paste0("landmark_", name), s$time, columns[[name]])
    q <- quantile(f, c(0.25, 0.5, 0.75))
    add(key, "quantile_estimate", c(0.25, 0.5, 0.75), q$quantile)
    add(key, "quantile_lower", c(0.25, 0.5, 0.75), q$lower)
    add(key, "quantile_upper", c(0.25, 0.5, 0.75), q$upper)
    add(key, "median_followup", 0, quantile(survfit(Surv(time, 1 - event) ~ 1), 0.5)$quantile)
  }
}

lung_landmarks <- c(180, 365, 730)
golden("lung", "all", lung$time, as.integer(lung$status == 2), lung_landmarks)
for (sx in sort(unique(lung$sex))) {
  d <- lung[lung$sex == sx, ]
  golden("lung", paste0("sex=", sx), d$time, as.integer(d$status == 2), lung_landmarks)
}
aml_landmarks <- c(12, 26, 52)
golden("aml", "all", aml$time, aml$status, aml_landmarks)
for (g in levels(aml$x)) {
  d <- aml[aml$x == g, ]
  golden("aml", paste0("x=", g), d$time, d$status, aml_landmarks)
}

# ---------------------------------------------------------------- Cox and log-rank
ovarian <- survival::ovarian[, c("futime", "fustat", "rx")]
write.csv(ovarian, file.path(out_dir, "ovarian.csv"), row.names = FALSE)
separated <- data.frame(
  time = c(3, 6, 6, 10, 12, 16, 18, 20, 24, 28, 30, 32, 0.1, 0.2, 0.3, 0.3, 0.5, 0.6, 0.8, 0.9, 1, 1.5, 2, 4),
  status = c(1, 1, 0, 1, 1, 0, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 0),
  arm = rep(c("slow", "fast"), c(12, 12)))
write.csv(separated, file.path(out_dir, "separated.csv"), row.names = FALSE)

cox_rows <- list()
cox_add <- function(dataset, arm, cl, quantity, value) {
  cox_rows[[length(cox_rows) + 1]] <<- data.frame(dataset = dataset, arm = arm, confidence = sprintf("%g", cl),
                                                  quantity = quantity, value = num(value))
}
cox_golden <- function(dataset, time, event, arm, levels) {
  arm <- factor(arm, levels = levels)
  f <- suppressWarnings(coxph(Surv(time, event) ~ arm, ties = "efron",
                              control = coxph.control(eps = 1e-14, iter.max = 100)))
  for (cl in c(0.95, 0.90)) {
    s <- summary(f, conf.int = cl)
    for (i in seq_len(nrow(s$coefficients))) {
      values <- c(hazard_ratio = s$conf.int[i, 1], ci_low = s$conf.int[i, 3], ci_high = s$conf.int[i, 4],
                  p_value = s$coefficients[i, 5])
      for (q in names(values)) cox_add(dataset, levels[i + 1], cl, q, values[[q]])
    }
    sd <- survdiff(Surv(time, event) ~ arm)
    df <- sum(sd$exp > 0) - 1
    values <- c(logrank_chisq = sd$chisq, logrank_df = df, logrank_p = pchisq(sd$chisq, df, lower.tail = FALSE))
    for (q in names(values)) cox_add(dataset, "-", cl, q, values[[q]])
  }
}
cox_golden("aml", aml$time, aml$status, as.character(aml$x), c("Maintained", "Nonmaintained"))
cox_golden("lung", lung$time, as.integer(lung$status == 2), as.character(lung$sex), c("1", "2"))
cox_golden("ovarian", ovarian$futime, ovarian$fustat, as.character(ovarian$rx), c("1", "2"))
cox_golden("separated", separated$time, separated$status, separated$arm, c("slow", "fast"))
write.csv(do.call(rbind, cox_rows), file.path(out_dir, "cox.csv"), row.names = FALSE, quote = FALSE)

expected <- do.call(rbind, rows)
write.csv(expected, file.path(out_dir, "expected.csv"), row.names = FALSE, quote = FALSE)
cat("wrote", nrow(expected), "expected values to", out_dir, "\n")
