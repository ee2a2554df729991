"""The case console: JWT sign-in, the HTTP API's pages (server-rendered, Russian and English). docs/cases.md."""
