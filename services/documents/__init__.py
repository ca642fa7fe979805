"""Documents: keeps custody of case documents (uploads arrive with the Documents issue)."""
