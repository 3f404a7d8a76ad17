"""Prints the entry names of a zip (a PEX) one per line, sorted."""
import sys
import zipfile

with zipfile.ZipFile(sys.argv[1]) as z:
    for name in sorted(z.namelist()):
        print(name)
