"""Blocks found, not listed: each module here declares one `BLOCK` (report.blocks.block.Block)
with its statistic (`compute`), its layout and its partial, and the catalogue
(report.blocks.catalogue) takes it in, in the order of the modules' names. Adding a table
is adding a module here, its test and at most one partial (docs/architecture.md)."""
