"""Skill mastery: Bayesian knowledge tracing, pure Python with no Django import."""
