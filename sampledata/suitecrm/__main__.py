"""`python -m sampledata.suitecrm --ddl mysql|postgresql`: print the schema's DDL for one dialect."""

import argparse

from sqlalchemy.schema import CreateIndex, CreateTable

from sampledata.suitecrm.schema import metadata

parser = argparse.ArgumentParser(description=__doc__)
parser.add_argument("--ddl", choices=("mysql", "mariadb", "postgresql"), required=True)
args = parser.parse_args()
dialect = __import__(f"sqlalchemy.dialects.{args.ddl}", fromlist=["dialect"]).dialect()
for table in metadata.sorted_tables:
    print(f"{CreateTable(table).compile(dialect=dialect)};")
    for index in table.indexes:
        print(f"{CreateIndex(index).compile(dialect=dialect)};")
