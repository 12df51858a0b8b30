"""Helpers shared by the tests: plain factory functions and tamper tools."""
