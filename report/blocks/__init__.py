"""Stage 4b, blocks: the report's content units (report.blocks.block), and their catalogue."""
