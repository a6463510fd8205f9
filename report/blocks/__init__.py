"""Stage 4b, blocks: the report's content units (report.blocks.block.Block), their catalogue
(report.blocks.catalogue.BLOCKS) and their figures, from a ledger."""
