"""Repositories: every SQL statement the services need lives in these modules."""
