"""Identifiable exports (issue 13 item 5): a WPA or senior WPA asks to send the identifying data
of cases she may identify to a named recipient (a directory provider the survivors consented to
share with, or a legal use they consented to); a different senior WPA of the mission approves or
refuses; the requester downloads it once, as an AES-256 zip whose password is shown once.

- `models`: the request and its cases (`IdentifiableExport`, `IdentifiableExportCase`);
- `coverage`: which cases the consent ledger and the requester's access cover, now;
- `services`: request, approve, refuse, prepare and download (`identifiable_export_*`);
- `selectors`, `permissions`: reads for a user, and the buttons she gets;
- `archive`: the CSV and the encrypted zip, built in memory;
- `views`, `forms`, `api`: the pages and the API, adapters over the same services.
"""
