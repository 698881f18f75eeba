"""Reads a .docx with python-docx (a reader independent of hntt) and prints what the tests check, as JSON."""
import json
import sys
import xml.etree.ElementTree as ElementTree
import zipfile

import docx
from docx.oxml.ns import qn

# Every part is well-formed XML, not only those python-docx reads.
with zipfile.ZipFile(sys.argv[1]) as package:
    assert package.testzip() is None
    parts = package.namelist()
    for name in parts:
        ElementTree.fromstring(package.read(name))

document = docx.Document(sys.argv[1])
MM = 36000  # EMU per millimetre


def table_texts(table):
    return [[cell.text for cell in row.cells] for row in table.rows]


sections = []
for section in document.sections:
    header = section.header._element.xml if not section.header.is_linked_to_previous else ""
    first = section.first_page_header._element.xml if section.different_first_page_header_footer else ""
    sections.append({
        "width_mm": round(section.page_width / MM), "height_mm": round(section.page_height / MM),
        "landscape": section.orientation == docx.enum.section.WD_ORIENT.LANDSCAPE,
        "top_mm": round(section.top_margin / MM), "bottom_mm": round(section.bottom_margin / MM),
        "left_mm": round(section.left_margin / MM), "right_mm": round(section.right_margin / MM),
        "different_first_page": section.different_first_page_header_footer,
        "page_number_in_header": "PAGE" in header, "page_number_on_first_page": "PAGE" in first,
    })
defaults = document.styles.element.find(qn("w:docDefaults"))
fonts = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
print(json.dumps({
    "sections": sections,
    "font": fonts.find(qn("w:rFonts")).get(qn("w:ascii")),
    "size_half_points": int(fonts.find(qn("w:sz")).get(qn("w:val"))),
    "paragraphs": [p.text for p in document.paragraphs],
    "bold": [r.text for p in document.paragraphs for r in p.runs if r.bold],
    "tables": [table_texts(t) for t in document.tables],
    "title": document.core_properties.title,
    "parts": sorted(parts),
}, ensure_ascii=False))
