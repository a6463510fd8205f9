"""Stage 3, analysis: a trial's numbers ledger (`Results`, results.json) from its inputs and the
estimators: response, safety, the DSMB computations and what the open DSMB report may disclose."""
