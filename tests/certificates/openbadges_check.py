"""Run the 1EdTech Open Badges validator on our JSON, offline. Runs in .venv-badges.

Reads {"nodes": [assertion, badgeclass, issuer], "images": {url: base64}, "recipient": email}
from stdin and prints the validator's report as JSON. The validator fetches every id over
HTTP (and the JSON-LD context); `responses` answers those requests with the documents our
site served to the test, exactly as the validator's own test suite does.
"""

import base64
import collections
import collections.abc
import json
import sys

# python-jose 3.0.1 (pinned by openbadges 1.1.2) still imports these from `collections`.
for name in ("Mapping", "MutableMapping", "Sequence", "Iterable", "Callable"):
    setattr(collections, name, getattr(collections.abc, name))

import responses  # noqa: E402
from openbadges import verify  # noqa: E402
from openbadges.verifier.openbadges_context import (  # noqa: E402
    OPENBADGES_CONTEXT_V2_DICT,
    OPENBADGES_CONTEXT_V2_URI,
)


def main() -> None:
    given = json.load(sys.stdin)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.add(
            responses.GET,
            OPENBADGES_CONTEXT_V2_URI,
            json=OPENBADGES_CONTEXT_V2_DICT,
            content_type="application/ld+json",
        )
        for node in given["nodes"]:
            mock.add(responses.GET, node["id"], json=node, content_type="application/ld+json")
        for url, data in given.get("images", {}).items():
            mock.add(responses.GET, url, body=base64.b64decode(data), content_type="image/png")
        result = verify(json.dumps(given["nodes"][0]), {"email": given["recipient"]})
    json.dump(result["report"], sys.stdout)


if __name__ == "__main__":
    main()
