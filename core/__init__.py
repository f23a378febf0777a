"""The platform's shared parts: database, accounts, login, authorisation, audit, jobs, blobs, API."""
