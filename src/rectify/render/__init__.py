"""Renderers: each takes plain data from the domain and lays it out."""
