<?php
/*
 * The media files the fixture uploads, drawn here rather than kept in the
 * repository: JPEG and PNG images made with GD, a short WAV tone and a
 * one-page PDF. Each is small and the same on every run.
 */

/**
 * Draws a landscape: a sky gradient, a sun, a band of sea and a label.
 * Smooth areas keep the JPEG, and the sizes WordPress makes from it, small.
 */
function make_jpeg(string $path, int $w, int $h, array $sky, array $sea, string $label): string {
	$im = imagecreatetruecolor($w, $h);
	$horizon = (int) ($h * 0.62);
	for ($y = 0; $y < $h; $y++) {
		[$from, $to, $t] = $y < $horizon
			? [$sky, [255, 255, 255], $y / $horizon]
			: [$sea, [10, 20, 40], ($y - $horizon) / max(1, $h - $horizon)];
		$c = imagecolorallocate($im,
			(int) ($from[0] + ($to[0] - $from[0]) * $t * 0.6),
			(int) ($from[1] + ($to[1] - $from[1]) * $t * 0.6),
			(int) ($from[2] + ($to[2] - $from[2]) * $t * 0.6));
		imageline($im, 0, $y, $w - 1, $y, $c);
	}
	$r = (int) (min($w, $h) / 6);
	imagefilledellipse($im, (int) ($w * 0.72), (int) ($horizon * 0.45), $r, $r, imagecolorallocate($im, 255, 214, 102));
	imagefilledrectangle($im, (int) ($w * 0.1), $horizon - (int) ($h * 0.08), (int) ($w * 0.18), $horizon, imagecolorallocate($im, 60, 50, 45));
	imagestring($im, 5, 12, $h - 24, "$label {$w}x{$h}", imagecolorallocate($im, 255, 255, 255));
	imagejpeg($im, $path, 72);
	imagedestroy($im);
	return $path;
}

/** Draws a round logo on a transparent square: a PNG with an alpha channel. */
function make_png(string $path, int $size, string $letter): string {
	$im = imagecreatetruecolor($size, $size);
	imagealphablending($im, false);
	imagesavealpha($im, true);
	imagefill($im, 0, 0, imagecolorallocatealpha($im, 0, 0, 0, 127));
	imagealphablending($im, true);
	imagefilledellipse($im, $size >> 1, $size >> 1, $size - 8, $size - 8, imagecolorallocatealpha($im, 20, 60, 110, 20));
	imagefilledellipse($im, $size >> 1, $size >> 1, (int) ($size * 0.6), (int) ($size * 0.6), imagecolorallocate($im, 240, 200, 80));
	imagestring($im, 5, ($size >> 1) - 4, ($size >> 1) - 8, $letter, imagecolorallocate($im, 20, 60, 110));
	imagepng($im, $path, 9);
	imagedestroy($im);
	return $path;
}

/** Writes a two-note horn as 8 kHz, 8-bit mono PCM: a few kilobytes. */
function make_wav(string $path): string {
	$rate = 8000;
	$samples = '';
	foreach ([[220, 0.35], [165, 0.45]] as [$freq, $seconds]) {
		$n = (int) ($rate * $seconds);
		for ($i = 0; $i < $n; $i++) {
			$fade = min(1, $i / 200, ($n - $i) / 200);
			$samples .= chr(128 + (int) (90 * $fade * sin(2 * M_PI * $freq * $i / $rate)));
		}
	}
	$fmt = pack('vvVVvv', 1, 1, $rate, $rate, 1, 8);
	$wav = 'RIFF' . pack('V', 4 + 8 + strlen($fmt) + 8 + strlen($samples)) . 'WAVE'
		. 'fmt ' . pack('V', strlen($fmt)) . $fmt
		. 'data' . pack('V', strlen($samples)) . $samples;
	file_put_contents($path, $wav);
	return $path;
}

/** Writes a one-page PDF with a line of text, its cross-reference table exact. */
function make_pdf(string $path, string $text): string {
	$stream = "BT /F1 18 Tf 72 720 Td ($text) Tj ET";
	$objects = [
		'<< /Type /Catalog /Pages 2 0 R >>',
		'<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
		'<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
		'<< /Length ' . strlen($stream) . " >>\nstream\n$stream\nendstream",
		'<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
	];
	$pdf = "%PDF-1.4\n";
	$offsets = [];
	foreach ($objects as $i => $body) {
		$offsets[] = strlen($pdf);
		$pdf .= ($i + 1) . " 0 obj\n$body\nendobj\n";
	}
	$xref = strlen($pdf);
	$pdf .= 'xref' . "\n0 " . (count($objects) + 1) . "\n0000000000 65535 f \n";
	foreach ($offsets as $o) {
		$pdf .= sprintf("%010d 00000 n \n", $o);
	}
	$pdf .= 'trailer' . "\n<< /Size " . (count($objects) + 1) . " /Root 1 0 R >>\nstartxref\n$xref\n%%EOF\n";
	file_put_contents($path, $pdf);
	return $path;
}
