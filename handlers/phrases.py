"""Phrases several flows say in the same words, so they are written once.

A flow's own wording stays in its ``TEXT`` table; what lives here is what people must read
identically wherever it appears (an old button, a form left half-done, not yet joined).
"""

from __future__ import annotations

PHRASES = {
    "expired": "รายการนี้หมดอายุแล้ว",
    "expired_because": "รายการนี้หมดอายุแล้ว — {reason}",
    "form_dropped": "(ยกเลิก{title}ที่ค้างไว้แล้ว)",
    "not_joined": "ยังไม่ได้เข้าร่วมองค์กรใด — กรุณาส่งรหัสเชิญที่ได้รับจากเจ้าหน้าที่ เช่น เข้าร่วม AB2CD3EF",
    "refused": "⛔ คำสั่งนี้สำหรับ{roles}เท่านั้น — หากควรมีสิทธิ์ กรุณาติดต่อเจ้าหน้าที่วิเคราะห์นโยบายและแผน",
    "refused_in_org": "⛔ รายการนี้สำหรับ{roles} ของ {org} เท่านั้น — ไม่มีข้อมูลใดถูกบันทึก",
    "refused_item": "⛔ รายการนี้สำหรับ{roles}เท่านั้น — ไม่มีข้อมูลใดถูกบันทึก",
    "members_only": "⛔ รายการนี้สำหรับสมาชิกขององค์กรเจ้าของรายการเท่านั้น",
    "nothing_saved": "ไม่มีข้อมูลใดถูกบันทึก",
}
