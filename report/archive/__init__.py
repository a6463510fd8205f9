"""The archive: bundles written whole, the content-addressed store, the hash-chained index,
signatures, verification and differences between versions. It stores, indexes, verifies and
diffs; rendering a version again (`reproduce`) is report.compose's."""
