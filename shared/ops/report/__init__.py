"""`propflow report`: one run's results as a self-contained HTML page.

data.py reads the numbers from the warehouse (the SQL lives in schemas/), plots.py
draws them to PNG, page.py inlines both into one HTML file that needs no network.
"""
