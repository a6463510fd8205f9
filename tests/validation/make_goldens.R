# Golden values for tests/validation/test_goldens.py, so that check runs without R.
#
# Run from the repository root:
#     Rscript tests/validation/make_goldens.R
# Needs R with the survival package (apt-get install r-base-core r-cran-survival).
# Writes tests/validation/golden/{lung,aml,expected}.csv; commit all three.
#
# lung.csv: survival::lung (time in days; status 1 = censored, 2 = dead; sex 1 = male, 2 = female)
# aml.csv:  survival::aml (time in weeks; status 1 = event; x = Maintained / Nonmaintained)
# expected.csv, long format: dataset, subset, conf_type, confidence, quantity, index, value
#   quantity: curve_<column> (index = row of summary(fit, censored = TRUE)),
#             landmark_<column> (index = landmark time; a time R drops has no row),
#             quantile_<estimate|lower|upper> (index = p), median_followup (index = 0).
#   value "NA" where R gives NA or NaN.

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

expected <- do.call(rbind, rows)
write.csv(expected, file.path(out_dir, "expected.csv"), row.names = FALSE, quote = FALSE)
cat("wrote", nrow(expected), "expected values to", out_dir, "\n")
