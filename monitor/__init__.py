"""Judging: rules over stored observations, findings, scores."""
