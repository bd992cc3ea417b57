"""Catalogue pages: public search and detail pages, and the lab manager's pages."""
