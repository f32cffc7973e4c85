"""A made-up plan of any size, for the benchmarks, the tests and the README's pictures.

Rows are shaped exactly as ``models.drafts.project_row`` makes them, with realistic Thai
titles, details, places, units and months, some projects of other agencies and some
equipment; the same ``seed`` always gives the same plan.
"""

from __future__ import annotations

import random
from typing import Any

from documents.model import OrgFacts, PlanDocument, build_plan
from models.catalog import PLAN_AREAS
from models.document_settings import DocumentSettings
from models.fiscal import FISCAL_MONTHS

STRATEGIES = (
    "การพัฒนาด้านโครงสร้างพื้นฐาน",
    "การพัฒนาคุณภาพชีวิตและสังคม",
    "การพัฒนาเศรษฐกิจชุมชนและการเกษตร",
    "การบริหารจัดการทรัพยากรธรรมชาติและสิ่งแวดล้อม",
    "การพัฒนาการศึกษา ศาสนา และวัฒนธรรม",
    "การพัฒนาการบริหารจัดการองค์กรตามหลักธรรมาภิบาล",
)
WORKS = (
    (
        "ก่อสร้างถนนคอนกรีตเสริมเหล็ก",
        "กว้าง 5 เมตร ยาว 200 เมตร หนา 0.15 เมตร หรือมีพื้นที่ไม่น้อยกว่า 1,000 ตารางเมตร",
    ),
    ("ปรับปรุงระบบประปาหมู่บ้าน", "เปลี่ยนท่อเมนส่งน้ำ ยาว 800 เมตร พร้อมติดตั้งเครื่องสูบน้ำ"),
    ("ขยายเขตไฟฟ้าแรงต่ำ", "ปักเสาพาดสาย ระยะทาง 450 เมตร ตามแบบของการไฟฟ้าส่วนภูมิภาค"),
    ("อบรมอาสาสมัครป้องกันภัยฝ่ายพลเรือน", "ฝึกอบรมทบทวน อปพร. จำนวน 60 คน ระยะเวลา 3 วัน"),
    ("สนับสนุนอาหารกลางวันโรงเรียน", "อุดหนุนอาหารกลางวันนักเรียนอนุบาลถึงประถมศึกษาปีที่ 6 จำนวน 245 วัน"),
    ("ส่งเสริมสุขภาพผู้สูงอายุ", "ตรวจคัดกรองสุขภาพและออกกำลังกาย ผู้สูงอายุ จำนวน 150 คน"),
    ("จัดงานประเพณีบุญบั้งไฟ", "จัดขบวนแห่ การแข่งขันจุดบั้งไฟ และการแสดงพื้นบ้าน"),
    ("ส่งเสริมอาชีพทอผ้าไหม", "ฝึกอบรมการย้อมสีธรรมชาติและออกแบบลวดลาย กลุ่มสตรี 30 คน"),
    ("ปลูกป่าชุมชนเฉลิมพระเกียรติ", "ปลูกต้นไม้ 2,000 ต้น ในพื้นที่ป่าชุมชน พร้อมดูแลรักษา"),
    ("ขุดลอกลำห้วย", "ขุดลอกตะกอนดิน กว้าง 12 เมตร ยาว 600 เมตร ลึกเฉลี่ย 2 เมตร"),
    ("รณรงค์ป้องกันโรคไข้เลือดออก", "พ่นหมอกควันและแจกทรายอะเบท ทุกหมู่บ้าน"),
    ("จัดเก็บภาษีเคลื่อนที่", "ออกให้บริการรับชำระภาษีที่ดินและสิ่งปลูกสร้างในหมู่บ้าน"),
)
VILLAGES = ("หนองแวง", "โนนสว่าง", "ดอนดู่", "หนองบัว", "โคกกลาง", "ห้วยทราย", "นาคำ", "ศรีสุข")
UNITS = ("กองช่าง", "สำนักปลัด", "กองคลัง", "กองการศึกษา", "กองสาธารณสุขและสิ่งแวดล้อม")
AGENCIES = ("แขวงทางหลวงชนบทขอนแก่น", "การไฟฟ้าส่วนภูมิภาคอำเภอภูเวียง", "โรงพยาบาลส่งเสริมสุขภาพตำบลหนองแวง")
EQUIPMENT = (
    ("ครุภัณฑ์สำนักงาน", "ตู้เหล็กเก็บเอกสาร 2 บาน", "จำนวน 4 ตู้ ตามราคามาตรฐานครุภัณฑ์"),
    ("ครุภัณฑ์คอมพิวเตอร์", "เครื่องคอมพิวเตอร์โน้ตบุ๊ก", "สำหรับงานประมวลผล จำนวน 2 เครื่อง"),
    ("ครุภัณฑ์ยานพาหนะและขนส่ง", "รถบรรทุกขยะ", "ขนาด 6 ตัน 6 ล้อ แบบอัดท้าย จำนวน 1 คัน"),
    ("ครุภัณฑ์การเกษตร", "เครื่องสูบน้ำ", "แบบหอยโข่ง ขนาด 3 นิ้ว จำนวน 2 เครื่อง"),
)
SAMPLE_ORG = OrgFacts(
    full_name="องค์การบริหารส่วนตำบลหนองแวง",
    place="อำเภอภูเวียง จังหวัดขอนแก่น",
    committee="คณะกรรมการพัฒนาท้องถิ่น",
    executive_name="นายประสิทธิ์ มั่นคง",
    executive_position="นายกองค์การบริหารส่วนตำบลหนองแวง",
    members={
        "sig_prepared": ("นางสาวพิมพ์ชนก ใจดี", "นักวิเคราะห์นโยบายและแผน"),
        "sig_proposed": ("นายธนพล รักษ์ดี", "ประธานคณะกรรมการสนับสนุนการจัดทำแผนพัฒนาท้องถิ่น"),
        "sig_endorsed": ("นายสมศักดิ์ บุญเรือง", "ประธานคณะกรรมการพัฒนาท้องถิ่น"),
        "sig_approved": ("นายประสิทธิ์ มั่นคง", "นายกองค์การบริหารส่วนตำบลหนองแวง"),
    },
)


def sample_rows(count: int, *, fiscal_year: int = 2569, seed: int = 1) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    rows = []
    for seq in range(1, count + 1):
        strategy = rng.randrange(len(STRATEGIES)) + 1
        area = rng.choice(PLAN_AREAS[:11])
        village = rng.randrange(len(VILLAGES))
        equipment = rng.random() < 0.06
        other = not equipment and rng.random() < 0.08
        start = rng.randrange(12)
        length = rng.choice((1, 2, 3, 3, 6, 12 - start))
        months = [FISCAL_MONTHS[i] for i in range(start, min(12, start + max(1, length)))]
        if equipment:
            kind, title, details = rng.choice(EQUIPMENT)
        else:
            kind = None
            work, details = rng.choice(WORKS)
            title = f"โครงการ{work} หมู่ที่ {village + 1} บ้าน{VILLAGES[village]}"
        rows.append(
            {
                "id": seq,
                "seq": seq,
                "number": f"{fiscal_year}-{seq:03d}",
                "title": title,
                "details": details,
                "budget_satang": rng.randrange(10, 3000) * 1000 * 100,
                "location": f"หมู่ที่ {village + 1} บ้าน{VILLAGES[village]}",
                "unit": rng.choice(UNITS),
                "months": months,
                "strategy_no": strategy,
                "strategy_name": STRATEGIES[strategy - 1],
                "area_no": area.number,
                "area_name": area.name,
                "source": "other_agency" if other else "lao",
                "agency": rng.choice(AGENCIES) if other else None,
                "equipment": equipment,
                "equipment_type": kind,
                "approach_no": None,
                "approach_name": None,
                "procurement": rng.choice(("เฉพาะเจาะจง", "คัดเลือก", "e-bidding")),
                "completed_on": None,
            }
        )
    return rows


def sample_plan(
    count: int,
    *,
    fiscal_year: int = 2569,
    draft: int | None = None,
    settings: DocumentSettings | None = None,
    seed: int = 1,
) -> PlanDocument:
    """A whole plan of ``count`` projects (a draft's, stamped, when ``draft`` is given)."""
    from documents.model import announcement

    rows = sample_rows(count, fiscal_year=fiscal_year, seed=seed)
    ann = announcement(
        org=SAMPLE_ORG,
        fiscal_year=fiscal_year,
        body="ann_original",
        count=len(rows),
        amount="{:,}".format(sum(r["budget_satang"] for r in rows) // 100),
    )
    return build_plan(
        rows,
        fiscal_year=fiscal_year,
        org=SAMPLE_ORG,
        settings=settings or DocumentSettings(org_id=0),
        stamp=f"ร่าง (ร่างที่ {draft})" if draft else None,
        announcements=[] if draft else [ann],
        key=f"sample-{count}-{draft}",
    )
