"""Tenders and their lifecycle, sealed bids (招投标), opening, evaluation and award."""
