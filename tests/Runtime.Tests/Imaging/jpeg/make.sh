#!/bin/sh
# Regenerates the JPEG test files and their reference decodes (see README.md). Needs python3 and
# Debian's libjpeg-turbo-progs (cjpeg/djpeg 2.1.5). Run from this folder.
set -e
python3 make_ppm.py 48 32 1 a48x32.ppm
python3 make_ppm.py 33 17 2 b33x17.ppm
python3 make_ppm.py 40 24 3 c40x24.ppm
python3 make_ppm.py 5 3 4 d5x3.ppm
python3 make_ppm.py 128 96 5 e128x96.ppm
cjpeg -quality 90 -sample 1x1 -outfile baseline444.jpg a48x32.ppm
cjpeg -quality 85 -outfile baseline420.jpg a48x32.ppm
cjpeg -quality 85 -sample 2x1 -outfile baseline422.jpg a48x32.ppm
cjpeg -quality 85 -sample 1x2 -outfile baseline440.jpg a48x32.ppm
cjpeg -quality 85 -sample 4x1 -outfile baseline411.jpg c40x24.ppm
cjpeg -quality 85 -grayscale -outfile grey.jpg a48x32.ppm
cjpeg -quality 85 -progressive -outfile progressive420.jpg a48x32.ppm
cjpeg -quality 85 -progressive -grayscale -outfile progressive-grey.jpg b33x17.ppm
cjpeg -quality 75 -restart 2B -outfile restart420.jpg a48x32.ppm
cjpeg -quality 80 -progressive -restart 1 -outfile odd33x17-progressive-restart.jpg b33x17.ppm
cjpeg -quality 80 -sample 2x1 -optimize -outfile odd33x17-422-optimized.jpg b33x17.ppm
cjpeg -quality 90 -outfile tiny5x3-420.jpg d5x3.ppm
cjpeg -quality 85 -scans separate.scans -outfile odd33x17-420-separate-scans.jpg b33x17.ppm
cjpeg -quality 90 -rgb -outfile rgb-adobe.jpg c40x24.ppm
cjpeg -quality 95 -progressive -outfile large128x96-progressive.jpg e128x96.ppm
cjpeg -quality 95 -arithmetic -outfile arithmetic.jpg d5x3.ppm
for f in *.jpg; do djpeg -ppm -outfile "${f%.jpg}.djpeg.ppm" "$f"; done
rm arithmetic.djpeg.ppm a48x32.ppm b33x17.ppm c40x24.ppm d5x3.ppm e128x96.ppm
