"""Thin Channels consumers: decode a frame, call one function, send or broadcast pre-serialised text."""
