"""The hub's DCM link through a loopback proxy that, while ``cut``, answers no read of one
payment (the connection is dropped): what must not read DCM is seen not to."""

from __future__ import annotations

import asyncio
import re

import httpx

from tests.loopback_proxy import Flow, LoopbackProxy

PAYMENT_READ = re.compile(rb"^GET \S*/payments/[0-9a-fA-F-]{36}\?\S* HTTP/1\.[01]\r\n")


class PaymentReadCutter(LoopbackProxy):
    """The hub's DCM link; while ``cut``, a read of one payment gets no answer."""

    cut = False

    def __init__(self, upstream_url: str) -> None:
        super().__init__(int(httpx.URL(upstream_url).port or 80), name="payment-read-cutter")

    async def forward(self, data: bytes, dst: asyncio.StreamWriter, flow: Flow) -> None:
        if self.cut and flow.up and PAYMENT_READ.match(data):
            dst.transport.abort()
            return
        await super().forward(data, dst, flow)
