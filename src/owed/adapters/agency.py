"""The agency export sink: CSV files under ``data_dir/agency/``.

Written aside and renamed, so a file is complete or absent; an existing file
of the same name is never overwritten (a suffix is added). UTF-8, header row,
the columns in the order the service gives.
"""

from __future__ import annotations

import csv
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class CsvAgencyFolder:
    root: Path  # data_dir / "agency"

    def write(self, name: str, columns: tuple[str, ...], rows: list[dict[str, str]]) -> str:
        self.root.mkdir(parents=True, exist_ok=True)
        target = self.root / name
        n = 1
        while target.exists():
            n += 1
            target = self.root / f"{Path(name).stem}-{n}{Path(name).suffix}"
        handle, temporary = tempfile.mkstemp(dir=self.root, suffix=".part")
        try:
            with os.fdopen(handle, "w", newline="", encoding="utf-8") as stream:
                writer = csv.DictWriter(stream, fieldnames=list(columns))
                writer.writeheader()
                writer.writerows(rows)
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return str(target)
