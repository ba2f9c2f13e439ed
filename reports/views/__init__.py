"""The reports pages (the identifiable exports keep theirs in reports.identifiable)."""
