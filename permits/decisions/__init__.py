"""The decision document: generated once per decision (``generation``), rendered as a licence or
refusal letter (``rendering``, ``texts``, ``fonts/``), signed (``signing``), checked by the
public on ``/verify/`` (``verification``, ``views``), and produced by Celery (``tasks``).

The ``Decision`` model lives in ``permits.models``; its stored PDF is a ``documents.Document``.
"""
