"""Operator tools on top of everything: demo, backtest, replay, chaos, emulators, packaging, report."""
