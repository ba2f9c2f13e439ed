"""Access administration in the app's own pages, for the admin role: users (list, invite, roles
and offices with end dates, deactivate, second factor, lockouts, sessions and tokens) and the
periodic access review. The rules are crsv.accounts' services; these modules are adapters."""
