"""Chat dumps onto disk, for the CLI and the webhook: storage reads, atomic files, the archive."""
