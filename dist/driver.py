"""migration-guard driver (placeholder until the driver issue lands)."""
