"""Test documents: PDFs drawn with ReportLab's CID font, and small DOCX packages."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime

FONT = "STSong-Light"


def make_pdf(pages: list[str], *, author=None, creator=None, producer=None, title=None, created: datetime | None = None,
             lines_per_page: int = 45) -> bytes:
    """A PDF with one page per text (lines wrapped at 38 characters), and the given Info entries."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=A4, invariant=1)
    for setter, value in ((pdf.setAuthor, author), (pdf.setCreator, creator), (pdf.setProducer, producer),
                          (pdf.setTitle, title)):
        if value is not None:
            setter(value)
    if created is not None:
        pdf.setDateFormatter(lambda *_args: created.strftime("D:%Y%m%d%H%M%S+00'00'"))
    for text in pages:
        pdf.setFont(FONT, 11)
        y = 800
        for paragraph in text.split("\n"):
            for start in range(0, max(len(paragraph), 1), 38):
                pdf.drawString(50, y, paragraph[start:start + 38])
                y -= 17
        pdf.showPage()
    pdf.save()
    return out.getvalue()


def make_raw_pdf(info: dict[str, str], document_id: str = "0123456789abcdef0123456789abcdef") -> bytes:
    """A one-page PDF written by hand, so its Info dictionary can hold any key (Company, LastModifiedBy…)."""
    entries = "".join(f"/{k} <FEFF{v.encode('utf-16-be').hex().upper()}>" for k, v in info.items())
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
        f"<< {entries} >>",
    ]
    body, offsets = b"%PDF-1.7\n", []
    for number, obj in enumerate(objects, start=1):
        offsets.append(len(body))
        body += f"{number} 0 obj\n{obj}\nendobj\n".encode("ascii")
    xref = len(body)
    body += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    body += "".join(f"{o:010d} 00000 n \n" for o in offsets).encode()
    body += (f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R /Info 4 0 R /ID [<{document_id}> <{document_id}>] >>\n"
             f"startxref\n{xref}\n%%EOF\n").encode()
    return body


def make_docx(*, creator="张三", last_modified_by="李四", company="上海某物业公司", application="Microsoft Office Word",
              version="16.0000", created="2027-03-01T08:00:00Z", modified="2027-03-02T09:30:00Z",
              doc_id="{6F1D2C3B-0000-4000-8000-000000000001}", rsid_root="00A1B2C3", body=("第一段", "第二段")) -> bytes:
    core = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties"
 xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<dc:title>技术标</dc:title><dc:creator>{creator}</dc:creator><cp:lastModifiedBy>{last_modified_by}</cp:lastModifiedBy>
<dcterms:created xsi:type="dcterms:W3CDTF">{created}</dcterms:created>
<dcterms:modified xsi:type="dcterms:W3CDTF">{modified}</dcterms:modified></cp:coreProperties>"""
    app = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">
<Application>{application}</Application><Company>{company}</Company><AppVersion>{version}</AppVersion></Properties>"""
    settings = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:settings xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"
 xmlns:w15="http://schemas.microsoft.com/office/word/2012/wordml">
<w:rsids><w:rsidRoot w:val="{rsid_root}"/></w:rsids><w15:docId w15:val="{doc_id}"/></w:settings>"""
    paragraphs = "".join(f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>" for text in body)
    document = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>{paragraphs}</w:body></w:document>"""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("docProps/core.xml", core)
        archive.writestr("docProps/app.xml", app)
        archive.writestr("word/settings.xml", settings)
        archive.writestr("word/document.xml", document)
    return out.getvalue()
