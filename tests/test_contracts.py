"""The public contracts are byte-for-byte what was recorded before the redesign of the package
(issue 13): ``analyze --format json`` on every corpus document, the samples and open real acts,
``classify`` on the corpus test norms, ``compare`` on the version pairs, the ``batch`` tables, and
the API's paths and upload answer. A change that is meant re-records with
``python -m tests.contracts --record`` and says so in its commit."""
import json

from .contracts import RECORD, produce


def test_contracts_are_unchanged():
    recorded = json.loads(RECORD.read_text(encoding="utf-8"))
    got = produce()
    assert sorted(got) == sorted(recorded)
    changed = sorted(k for k in recorded if got[k] != recorded[k])
    assert not changed, f"{len(changed)} contract outputs changed: {changed[:20]}"
