"""trialreport: clinical trial reports from patient-level data."""
