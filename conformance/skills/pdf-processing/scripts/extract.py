"""Print the text of a PDF (a fixture of the conformance server's skills)."""
import sys

print(f"would extract the text of {sys.argv[1:]}")
