"""Results for notebooks: the aggregator's REST API (``GET /api/reports?run=``, ``/api/curves?run=``) as plain
Python values, or as pandas DataFrames when pandas is installed (``as_frame=None``) or asked for (``True``)."""
from __future__ import annotations

import json
import os
import urllib.error
import urllib.parse
import urllib.request
from typing import Any, Optional

from .publisher import ENV_TOKEN, ENV_URL

# Per-score columns of a report row (ApiJson.score on the Java side).
_SCORE_FIELDS = ("name", "level", "sds", "accuracy", "stderr", "samples", "expectedSamples", "failed", "chance")
_REPORT_FIELDS = ("runId", "step", "tokensSeen", "evaluationId", "benchmarkVersion", "complete", "progress",
                  "status", "perceptionReasoningGap", "updatedAtMs", "checkpointUri")


class UnknownRun(LookupError):
    """The aggregator knows no run of that id (HTTP 404): nothing published for it has been planned or scored yet,
    or the id is misspelt. A run appears once its first checkpoint is planned."""


def _get(path: str, run: str, url: Optional[str], token: Optional[str], timeout: float) -> Any:
    base = url or os.environ.get(ENV_URL)
    if not base:
        raise ValueError("give url= (the aggregator's web server, e.g. http://radar:8080) or set " + ENV_URL)
    token = token or os.environ.get(ENV_TOKEN)
    request = urllib.request.Request(base.rstrip("/") + path + "?run=" + urllib.parse.quote(run, safe=""),
                                     headers={"Authorization": "Bearer " + token} if token else {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError as e:
        if e.code == 404:
            try:
                detail = json.loads(e.read()).get("error", "")
            except ValueError:
                detail = ""
            raise UnknownRun(detail or "unknown run %r" % run) from None
        raise


def _pandas(as_frame: Optional[bool]):
    if as_frame is False:
        return None
    try:
        import pandas
    except ImportError:
        if as_frame:
            raise ImportError("as_frame=True needs pandas: pip install 'radar-client[pandas]'") from None
        return None
    return pandas


def reports(run: str, url: Optional[str] = None, *, token: Optional[str] = None, as_frame: Optional[bool] = None,
            timeout: float = 30.0) -> Any:
    """Every checkpoint report of ``run`` (partial ones too: see ``complete``, ``progress`` and ``status``, which
    is complete, partial or failed). Raises :class:`UnknownRun` for a run the aggregator does not know.

    As dicts: the API's list, one per (step, benchmark version), with ``abilities`` and ``tasks`` lists. As a
    DataFrame: one row per (report, ability or task score), the report's fields repeated, ``level`` telling
    ability / fine / task apart, sorted by step.
    """
    data = _get("/api/reports", run, url, token, timeout)
    pd = _pandas(as_frame)
    if pd is None:
        return data
    rows = []
    for report in data:
        head = {k: report.get(k) for k in _REPORT_FIELDS}
        for score in list(report.get("abilities", [])) + list(report.get("tasks", [])):
            rows.append(dict(head, **{k: score.get(k) for k in _SCORE_FIELDS}))
    frame = pd.DataFrame(rows, columns=list(_REPORT_FIELDS) + list(_SCORE_FIELDS))
    return frame.sort_values(["step", "level", "name"], kind="stable").reset_index(drop=True)


def curves(run: str, url: Optional[str] = None, *, token: Optional[str] = None, as_frame: Optional[bool] = None,
           timeout: float = 30.0) -> Any:
    """The ability curves of ``run`` over complete checkpoints: ``{ability: [{step, tokensSeen, sds, accuracy,
    stderr}, ...]}`` ordered by step, or a DataFrame with an ``ability`` column (pivot it for plotting:
    ``frame.pivot(index="step", columns="ability", values="sds")``)."""
    data = _get("/api/curves", run, url, token, timeout)
    pd = _pandas(as_frame)
    if pd is None:
        return data
    rows = [dict(point, ability=ability) for ability, points in data.items() for point in points]
    return pd.DataFrame(rows, columns=["ability", "step", "tokensSeen", "level", "benchmarkVersion", "sds",
                                       "accuracy", "stderr", "samples", "chance"])
