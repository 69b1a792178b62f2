"""``usb://VID:PID``: a USB printer driven directly through pyusb (libusb), as python-escpos does.

The device is found by vendor and product id (hex), the kernel's printer driver detached from it, and
the printer interface (class 7, else the first one with a bulk OUT endpoint) claimed; its bulk OUT and
IN endpoints carry the data. Every transfer has a timeout in ms (pyusb's 0 would mean "forever", so it
is never passed). Writes go in ``CHUNK``-byte transfers: a transfer that times out may have moved part
of its chunk, so ``TransportTimeout.written`` counts the chunks completed, a lower bound within one chunk.
"""

from __future__ import annotations

import contextlib
import errno
import time
from typing import Any

from printers.errors import TransportError, TransportTimeout
from waybill.errors import UsageError
from waybill.i18n import _

__all__ = ["CHUNK", "UsbTransport", "parse_ids"]

CHUNK = 4096
_PRINTER_CLASS = 7


def parse_ids(uri: str, location: str) -> tuple[int, int]:
    """``"0416:5011"`` → (0x0416, 0x5011)."""
    vendor, colon, product = location.partition(":")
    try:
        if not colon:
            raise ValueError
        ids = int(vendor, 16), int(product, 16)
    except ValueError:
        raise UsageError(
            _("{uri}: a USB printer is usb://VID:PID with hex ids, like usb://0416:5011").format(uri=uri)
        ) from None
    if not all(0 <= i <= 0xFFFF for i in ids):
        raise UsageError(_("{uri}: USB vendor and product ids are 4 hex digits").format(uri=uri))
    return ids


def _ms(seconds: float) -> int:
    return max(1, round(seconds * 1000))


class UsbTransport:
    def __init__(self, vendor: int, product: int, *, timeout: float = 10.0, uri: str) -> None:
        try:  # imported here: only a USB printer needs pyusb and libusb
            import usb.core
            import usb.util
        except ImportError as e:
            raise TransportError(_("{uri}: USB printers need pyusb: pip install 'waybill[usb]'").format(uri=uri)) from e

        self.uri = uri
        self.timeout = timeout
        self._usb_core: Any = usb.core
        self._usb_util: Any = usb.util
        try:
            device = usb.core.find(idVendor=vendor, idProduct=product)
        except usb.core.NoBackendError as e:
            raise TransportError(
                _("cannot open the USB printer {uri}: no USB backend (install libusb-1.0)").format(uri=uri)
            ) from e
        if device is None:
            raise TransportError(_("no USB printer at {uri}: not found (is it on and plugged in?)").format(uri=uri))
        self._device: Any = device
        self._pending = bytearray()
        try:
            self._interface, self._out, self._in = self._claim(device)
            self.reads_back = self._in is not None
        except usb.core.USBError as e:
            self._dispose()
            if e.errno == errno.EACCES:
                raise TransportError(
                    _("no permission to use the USB printer {uri} (a udev rule is needed)").format(uri=uri)
                ) from e
            raise TransportError(
                _("cannot open the USB printer {uri}: {reason}").format(uri=uri, reason=e.strerror or e)
            ) from e

    def _claim(self, device: Any) -> tuple[int, Any, Any]:
        util = self._usb_util
        try:
            config = device.get_active_configuration()
        except self._usb_core.USBError:  # not configured yet
            device.set_configuration()
            config = device.get_active_configuration()
        interfaces = sorted(config, key=lambda i: i.bInterfaceClass != _PRINTER_CLASS)
        for interface in interfaces:
            out = util.find_descriptor(interface, custom_match=lambda e: self._is_bulk(e, util.ENDPOINT_OUT))
            if out is None:
                continue
            number = interface.bInterfaceNumber
            try:
                if device.is_kernel_driver_active(number):
                    device.detach_kernel_driver(number)
            except (NotImplementedError, self._usb_core.USBError):
                pass  # not every backend can tell or detach; claiming says whether it worked
            util.claim_interface(device, number)
            inbound = util.find_descriptor(interface, custom_match=lambda e: self._is_bulk(e, util.ENDPOINT_IN))
            return number, out, inbound
        raise TransportError(_("the USB device {uri} has no bulk OUT endpoint: is it a printer?").format(uri=self.uri))

    def _is_bulk(self, endpoint: Any, direction: int) -> bool:
        util = self._usb_util
        bulk = util.endpoint_type(endpoint.bmAttributes) == util.ENDPOINT_TYPE_BULK
        return bool(bulk and util.endpoint_direction(endpoint.bEndpointAddress) == direction)

    def _failed(self, message: str, error: Any) -> TransportError:
        """``message`` (translated) has the placeholders ``{uri}`` and ``{reason}``."""
        if error.errno in (errno.ENODEV, errno.ENOENT, errno.EIO):
            return TransportError(_("the USB printer {uri} is gone (unplugged or switched off)").format(uri=self.uri))
        return TransportError(message.format(uri=self.uri, reason=error.strerror or error))

    def write(self, data: bytes) -> None:
        view = memoryview(data)
        written = 0
        while written < len(view):
            chunk = view[written : written + CHUNK]
            try:
                written += self._out.write(chunk, _ms(self.timeout))
            except self._usb_core.USBTimeoutError as e:
                raise TransportTimeout(
                    _(
                        "the USB printer {uri} took no data for {seconds} s (at least {written} of {total} bytes sent)"
                    ).format(uri=self.uri, seconds=f"{self.timeout:g}", written=written, total=len(view)),
                    written,
                ) from e
            except self._usb_core.USBError as e:
                raise self._failed(_("writing to the USB printer {uri} failed: {reason}"), e) from e

    def read(self, size: int, timeout: float) -> bytes:
        if self._in is None:
            time.sleep(timeout)  # nothing can come back
            return b""
        if not self._pending:
            # Ask for whole packets: a smaller read overflows when the printer sends a full one.
            want = max(size, self._in.wMaxPacketSize)
            try:
                self._pending += bytes(self._in.read(want, _ms(timeout)))
            except self._usb_core.USBTimeoutError:
                return b""
            except self._usb_core.USBError as e:
                raise self._failed(_("reading from the USB printer {uri} failed: {reason}"), e) from e
        data = bytes(self._pending[:size])
        del self._pending[:size]
        return data

    def _dispose(self) -> None:
        self._usb_util.dispose_resources(self._device)

    def close(self) -> None:
        with contextlib.suppress(self._usb_core.USBError):  # unplugged already: nothing to release
            self._usb_util.release_interface(self._device, self._interface)
        self._dispose()
