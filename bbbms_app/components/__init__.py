"""Stateless UI pieces: translated text, the app shell, tables, pagers."""
