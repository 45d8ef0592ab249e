/**
 * A QR code of a URL, drawn here as SVG (qrcode.react: no network, no canvas), so a phone
 * camera can open the shared folder without anyone typing an address. Runs in: the renderer.
 *
 * Always black on white, in the dark theme too: many phone scanners fail on light-on-dark
 * codes. The 4-module quiet zone the standard asks for is part of the white tile, and
 * version 2 at least keeps the module area ≥ 200 CSS px at the default size (25 of 33
 * modules at 264 px), large enough for a camera across a desk.
 */
import { QRCodeSVG } from 'qrcode.react';

/** The quiet zone, in modules (ISO/IEC 18004 asks for 4). */
const QUIET = 4;

/**
 * The URL as QR segments: `http://` in byte mode and, when it fits the alphanumeric set
 * (digits, capitals, ` $%*+-./:`), the rest in alphanumeric mode, which takes 5.5 bits
 * a character instead of 8. An IPv4 address and port fit, so the code stays one version
 * smaller and its modules larger. The decoded text is the URL unchanged.
 */
export function qrSegments(url: string): string[] {
  const m = /^(https?:\/\/)(.+)$/.exec(url);
  if (m && /^[0-9A-Z $%*+\-./:]+$/.test(m[2]!)) return [m[1]!, m[2]!];
  return [url];
}

export interface QrCodeProps {
  readonly value: string;
  /** Side of the whole tile in CSS px, quiet zone included. */
  readonly size?: number;
  /** What a screen reader says instead of the picture. */
  readonly label: string;
}

export function QrCode({ value, size = 264, label }: QrCodeProps) {
  return (
    <QRCodeSVG
      className="qr-code"
      value={qrSegments(value)}
      size={size}
      level="M"
      minVersion={2}
      marginSize={QUIET}
      bgColor="#ffffff"
      fgColor="#000000"
      title={label}
      data-value={value}
    />
  );
}
