"""The reports pages' forms (the identifiable exports keep theirs in reports.identifiable)."""
