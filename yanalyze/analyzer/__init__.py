"""Parsing, graph, cost models, metrics: everything that turns a config into an Analysis."""
