"""Adapter for the public listing of the "Открытые НПА" portal (legalacts.egov.kz).

Behind the batch manifest contract: listing pages -> :class:`PortalRecord` s -> attachments
downloaded to files -> ``manifest.jsonl`` rows (``id``, ``path``, ``title``, ``agency``,
``sphere``, ``kind``, ``date``, ``url``) that ``lexpert batch`` reads.

What is known offline (and only that; see docs/portal.md): each published draft has a page
of its own with its type, developer body, dates and status, and its text as attached files
(.docx/.pdf). The exact URLs, HTML markup and any JSON endpoint of the live portal were not
verified, so everything that depends on them is configuration (:class:`PortalConfig`):
the listing path and page parameter, the pattern of a draft page's link, and the labels of
the metadata fields. Two listing shapes are understood: HTML with links to draft pages, and
JSON (a list, or an object holding the list under ``items``/``content``/``data``/``results``).

Every request goes through :func:`fetch`, which refuses any host outside
``PortalConfig.allow_hosts`` (when given), any scheme but http(s), and bodies over the
size limit; it waits ``delay`` seconds between requests.
"""
from __future__ import annotations

import hashlib
import json
import logging
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ..version import __version__
from ..errors import LexpertError

log = logging.getLogger(__name__)


class PortalError(LexpertError):
    code = "portal"


@dataclass
class PortalConfig:
    """Where and how to read the portal. Defaults are a best guess at legalacts.egov.kz."""

    base_url: str = "https://legalacts.egov.kz"
    listing_path: str = "/npa/search"           # unverified guess; override with --listing-path
    page_param: str = "page"
    first_page: int = 1
    draft_link: str = r"/npa/view\?id=(\d+)"      # a draft page's link; group 1 is the portal id
    attachment_suffixes: tuple[str, ...] = (".docx", ".pdf", ".doc", ".rtf", ".txt", ".html")
    attachment_link: str = r"/(?:download|file|files|attachment)s?[/?]"
    labels: dict[str, tuple[str, ...]] = field(default_factory=lambda: {
        "agency": ("Разработчик", "Государственный орган", "Орган-разработчик", "Әзірлеуші"),
        "kind": ("Тип", "Вид", "Вид документа", "Түрі"),
        "date": ("Дата размещения", "Дата публикации", "Дата создания", "Дата", "Күні"),
        "status": ("Статус", "Мәртебесі"),
        "discussion_end": ("Дата окончания обсуждения", "Окончание обсуждения", "Срок обсуждения"),
        "sphere": ("Сфера", "Отрасль", "Категория", "Саласы"),
    })
    delay: float = 1.0
    timeout: float = 30.0
    max_bytes: int = 50 * 1024 * 1024
    allow_hosts: frozenset[str] | None = None   # None: any host of base_url's kind; tests pin 127.0.0.1
    user_agent: str = f"lexpert/{__version__} (anti-corruption expertise; batch of public drafts)"


@dataclass
class PortalRecord:
    """One draft as the portal lists it (before its files are downloaded)."""

    portal_id: str
    url: str
    title: str | None = None
    agency: str | None = None
    kind: str | None = None
    sphere: str | None = None
    date: str | None = None
    status: str | None = None
    discussion_end: str | None = None
    attachments: list[str] = field(default_factory=list)


class _Client:
    def __init__(self, cfg: PortalConfig):
        self.cfg = cfg
        self._last = 0.0

    def fetch(self, url: str) -> tuple[bytes, str]:
        """GET ``url`` -> (body, content type), with the host check, the delay and the size limit."""
        u = urllib.parse.urlsplit(url)
        if u.scheme not in ("http", "https"):
            raise PortalError(f"{url}: only http(s) URLs are fetched")
        if self.cfg.allow_hosts is not None and (u.hostname or "") not in self.cfg.allow_hosts:
            raise PortalError(f"{url}: host {u.hostname!r} is not allowed (allowed: {sorted(self.cfg.allow_hosts)})")
        wait = self.cfg.delay - (time.monotonic() - self._last)
        if wait > 0:
            time.sleep(wait)
        req = urllib.request.Request(url, headers={"User-Agent": self.cfg.user_agent})
        try:
            with urllib.request.urlopen(req, timeout=self.cfg.timeout) as resp:
                body = resp.read(self.cfg.max_bytes + 1)
                ctype = resp.headers.get("Content-Type", "")
        except urllib.error.HTTPError as exc:
            raise PortalError(f"{url}: HTTP {exc.code}") from exc
        except (urllib.error.URLError, OSError) as exc:
            raise PortalError(f"{url}: cannot fetch ({getattr(exc, 'reason', exc)})") from exc
        finally:
            self._last = time.monotonic()
        if len(body) > self.cfg.max_bytes:
            raise PortalError(f"{url}: larger than {self.cfg.max_bytes} bytes")
        return body, ctype


def _text(node) -> str:
    return " ".join(node.get_text(" ").split()) if node is not None else ""


def parse_listing(body: bytes, ctype: str, page_url: str, cfg: PortalConfig) -> list[PortalRecord]:
    """Draft records of one listing page (HTML or JSON)."""
    if "json" in ctype or body.lstrip()[:1] in (b"[", b"{"):
        try:
            data = json.loads(body.decode("utf-8"))
        except ValueError as exc:
            raise PortalError(f"{page_url}: the listing is not valid JSON ({exc})") from exc
        if isinstance(data, dict):
            data = next((data[k] for k in ("items", "content", "data", "results") if isinstance(data.get(k), list)), [])
        return [r for r in (_from_json(x, page_url) for x in data if isinstance(x, dict)) if r]
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(body, "lxml")
    rx = re.compile(cfg.draft_link)
    out: dict[str, PortalRecord] = {}
    for a in soup.find_all("a", href=True):
        m = rx.search(a["href"])
        if not m:
            continue
        pid = m.group(1)
        if pid not in out:
            out[pid] = PortalRecord(portal_id=pid, url=urllib.parse.urljoin(page_url, a["href"]), title=_text(a) or None)
    return list(out.values())


def _pick(d: dict[str, Any], *keys: str) -> Any:
    for k in keys:
        if d.get(k) not in (None, ""):
            return d[k]
    return None


def _from_json(x: dict[str, Any], page_url: str) -> PortalRecord | None:
    pid = _pick(x, "id", "npaId", "documentId")
    if pid is None:
        return None
    url = _pick(x, "url", "link", "href") or f"/npa/view?id={pid}"
    files = x.get("attachments") or x.get("files") or []
    atts = [urllib.parse.urljoin(page_url, f if isinstance(f, str) else (_pick(f, "url", "href", "link") or ""))
            for f in files]
    agency = _pick(x, "agency", "developer", "governmentAgency", "stateBody")
    if isinstance(agency, dict):
        agency = _pick(agency, "nameRu", "name", "nameKz")
    return PortalRecord(portal_id=str(pid), url=urllib.parse.urljoin(page_url, str(url)),
                        title=_pick(x, "title", "name", "nameRu"), agency=agency,
                        kind=_pick(x, "type", "kind", "documentType"), sphere=_pick(x, "sphere", "category"),
                        date=_pick(x, "date", "publishDate", "createDate", "createdAt"), status=_pick(x, "status"),
                        discussion_end=_pick(x, "discussionEnd", "endDate"), attachments=[a for a in atts if a])


def parse_draft_page(body: bytes, rec: PortalRecord, cfg: PortalConfig) -> PortalRecord:
    """Fill ``rec`` from its draft page: labelled fields (table rows, dt/dd, "Label: value") and attachments."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(body, "lxml")
    pairs: list[tuple[str, str]] = []
    for tr in soup.find_all("tr"):
        cells = tr.find_all(["th", "td"])
        if len(cells) >= 2:
            pairs.append((_text(cells[0]), _text(cells[1])))
    for dt_ in soup.find_all("dt"):
        pairs.append((_text(dt_), _text(dt_.find_next_sibling("dd"))))
    for el in soup.find_all(["p", "div", "li", "span"]):
        t = _text(el)
        if ":" in t and len(t) < 300 and not el.find(["p", "div", "li"]):
            k, v = t.split(":", 1)
            pairs.append((k, v))
    for fld, labels in cfg.labels.items():
        if getattr(rec, fld):
            continue
        for k, v in pairs:
            k = k.strip().rstrip(":").strip()
            if v.strip() and any(k.lower() == lab.lower() for lab in labels):
                setattr(rec, fld, v.strip())
                break
    if not rec.title:
        h = soup.find(["h1", "h2"])
        rec.title = _text(h) or None
    rx = re.compile(cfg.attachment_link, re.I)
    for a in soup.find_all("a", href=True):
        href = a["href"]
        path = urllib.parse.urlsplit(href).path.lower()
        if path.endswith(cfg.attachment_suffixes) or rx.search(href):
            u = urllib.parse.urljoin(rec.url, href)
            if u not in rec.attachments:
                rec.attachments.append(u)
    return rec


def fetch_listing(cfg: PortalConfig, pages: int = 1, client: _Client | None = None) -> list[PortalRecord]:
    """Read ``pages`` listing pages and each draft's page: the records, in listing order."""
    c = client or _Client(cfg)
    out: list[PortalRecord] = []
    seen: set[str] = set()
    for k in range(cfg.first_page, cfg.first_page + pages):
        sep = "&" if "?" in cfg.listing_path else "?"
        url = urllib.parse.urljoin(cfg.base_url, f"{cfg.listing_path}{sep}{cfg.page_param}={k}")
        body, ctype = c.fetch(url)
        recs = [r for r in parse_listing(body, ctype, url, cfg) if r.portal_id not in seen]
        if not recs:
            break
        for r in recs:
            seen.add(r.portal_id)
            if not r.attachments or not (r.agency and r.date):
                page, _ = c.fetch(r.url)
                parse_draft_page(page, r, cfg)
            out.append(r)
    return out


def _safe_name(url: str, i: int) -> str:
    name = Path(urllib.parse.unquote(urllib.parse.urlsplit(url).path)).name or f"file{i}"
    name = re.sub(r"[^\w.\-]+", "_", name)[:80]
    return name if "." in name else f"{name}.bin"


def download(records: list[PortalRecord], dest: str | Path, cfg: PortalConfig,
             client: _Client | None = None) -> list[dict[str, Any]]:
    """Download each record's attachments into ``dest/files/<portal_id>/`` and write
    ``dest/manifest.jsonl`` (one row per attachment; ids ``<portal_id>`` or ``<portal_id>/<n>``).
    A record whose download fails keeps its row with the error in ``fetch_error`` and no path,
    so the batch reports it as an error row. Returns the rows."""
    c = client or _Client(cfg)
    root = Path(dest)
    (root / "files").mkdir(parents=True, exist_ok=True)
    rows: list[dict[str, Any]] = []
    for r in records:
        meta = {"title": r.title, "agency": r.agency, "sphere": r.sphere, "kind": r.kind, "date": r.date,
                "url": r.url, "status": r.status, "discussion_end": r.discussion_end}
        if not r.attachments:
            rows.append({"id": r.portal_id, **meta, "fetch_error": "the draft page lists no attached file"})
            continue
        for i, att in enumerate(r.attachments, 1):
            rid = r.portal_id if len(r.attachments) == 1 else f"{r.portal_id}/{i}"
            try:
                body, _ = c.fetch(att)
            except PortalError as exc:
                log.info("%s: not fetched (%s)", rid, exc)
                rows.append({"id": rid, **meta, "attachment": att, "fetch_error": str(exc)})
                continue
            folder = root / "files" / re.sub(r"[^\w\-]+", "_", r.portal_id)
            folder.mkdir(parents=True, exist_ok=True)
            f = folder / _safe_name(att, i)
            f.write_bytes(body)
            rows.append({"id": rid, "path": str(f.relative_to(root)), **meta, "attachment": att,
                         "sha256": hashlib.sha256(body).hexdigest()})
    with (root / "manifest.jsonl").open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    return rows


def records_json(records: list[PortalRecord]) -> list[dict[str, Any]]:
    return [asdict(r) for r in records]
