// Words of the page in Thai (the default) and English; labels of the codes the services send.

const WORDS = {
  brand: ["สะพาน", "Saphan"],
  sign_in: ["เข้าสู่ระบบ", "Sign in"], sign_out: ["ออกจากระบบ", "Sign out"],
  sign_in_token: ["โทเค็นจากผู้ให้บริการยืนยันตัวตนของหน่วยงาน", "Token from your agency's identity provider"],
  sign_in_development: ["เข้าสู่ระบบสำหรับการพัฒนา (เลือกหน่วยงานและบทบาท)", "Development sign-in (choose a unit and role)"],
  unit: ["หน่วยงาน", "Unit"], role: ["บทบาท", "Role"],
  nav_intake: ["รับแจ้ง", "Intake"], nav_board: ["กระดานวันนี้", "Today's board"], nav_inbox: ["กล่องรับเรื่อง", "Inbox"],
  nav_case: ["ค้นหารายการ", "Find a case"], nav_audit: ["ตรวจสอบย้อนหลัง", "Audit"],
  intake_title: ["รับแจ้งเหตุ", "Take a report"],
  intake_hint: ["กด Tab เพื่อไปช่องถัดไป, Ctrl+Enter เพื่อบันทึก ระบบตรวจข้อมูลขณะพิมพ์ด้วยกฎเดียวกับ API",
    "Tab moves on; Ctrl+Enter submits. Checked as you type with the API's own rules."],
  channel: ["ช่องทาง", "Channel"], received_at: ["เวลารับแจ้ง", "Received at"], request_kind: ["ประเภทคำขอ", "Request"],
  informant: ["ผู้แจ้ง", "Informant"], anonymous: ["ไม่ประสงค์ออกนาม", "Anonymous"], name: ["ชื่อ", "Name"],
  callback_phone: ["เบอร์ติดต่อกลับ", "Call-back phone"], relationship: ["ความสัมพันธ์กับผู้ประสบปัญหา", "Relationship to the client"],
  client: ["ผู้ประสบปัญหา", "Client"], national_id: ["เลขประจำตัวประชาชน", "National ID"], birth_date: ["วันเกิด", "Birth date"],
  estimated_age_years: ["อายุโดยประมาณ (ปี)", "Estimated age (years)"], sex: ["เพศ", "Sex"],
  perpetrator: ["ผู้ถูกกล่าวหา", "Alleged perpetrator"], location: ["สถานที่", "Location"],
  province: ["จังหวัด", "Province"], district: ["อำเภอ/เขต", "District"], subdistrict: ["ตำบล/แขวง", "Tambon"],
  address: ["ที่อยู่", "Address"], choose: ["— เลือก —", "— choose —"], loading: ["กำลังโหลด…", "Loading…"],
  client_more: ["ข้อมูลเพิ่มเติมของผู้ประสบปัญหา", "More about the client"], nationality: ["สัญชาติ", "Nationality"],
  disability: ["ความพิการ", "Disability"], disability_note: ["ลักษณะความพิการ", "About the disability"],
  yes: ["มี", "Yes"], no: ["ไม่มี", "No"], not_stated: ["ไม่ระบุ", "Not stated"],
  agency: ["หน่วยงานของผู้แจ้ง", "Informant's agency"], phone: ["เบอร์โทรศัพท์", "Phone"], age_years: ["อายุ (ปี)", "Age (years)"],
  family: ["ครอบครัวและคนในบ้าน", "Family and household"], guardians: ["บิดามารดาหรือผู้ปกครอง", "Parents or guardians"],
  guardian: ["ผู้ปกครอง", "Parent or guardian"], alleged_perpetrators: ["ผู้ถูกกล่าวหา", "Alleged perpetrators"],
  household_members: ["สมาชิกในครัวเรือน", "Household members"], household_member: ["สมาชิกในครัวเรือน", "Household member"],
  add_guardian: ["เพิ่มผู้ปกครอง", "Add a parent or guardian"], add_perpetrator: ["เพิ่มผู้ถูกกล่าวหา", "Add an alleged perpetrator"],
  add_household_member: ["เพิ่มสมาชิกในครัวเรือน", "Add a household member"], remove: ["ลบแถวนี้", "Remove"],
  call_and_consent: ["การรับแจ้งและความยินยอม", "The call and consent"], duty_shift: ["ช่วงเวลาปฏิบัติงาน", "Duty shift"],
  duty_shift_auto: ["ตามเวลารับแจ้ง", "From the time received"], consent: ["ความยินยอม", "Consent"],
  problem_types: ["ประเภทปัญหา", "Problem types"], immediate_danger: ["อยู่ในอันตรายเฉพาะหน้า", "In immediate danger"],
  description: ["รายละเอียดเหตุการณ์", "What happened"], submit: ["บันทึกการรับแจ้ง", "Submit report"],
  valid: ["ข้อมูลครบถ้วน พร้อมบันทึก", "Complete; ready to submit"], checking: ["กำลังตรวจ…", "Checking…"],
  submitted: ["บันทึกแล้ว", "Submitted"], case_id: ["เลขรายการ", "Case"], urgency: ["ความเร่งด่วน", "Urgency"],
  status: ["สถานะ", "Status"], response: ["การตอบสนอง", "Response"], open_case: ["เปิดหน้ารายการ", "Open the case"],
  board_title: ["รายการวันนี้ตามความเร่งด่วน", "Today's cases by urgency"], live: ["อัปเดตสด", "live"],
  reconnecting: ["กำลังเชื่อมต่อใหม่…", "reconnecting…"], closed: ["ขาดการเชื่อมต่อ", "disconnected"],
  nothing: ["ยังไม่มีรายการ", "Nothing yet"],
  possible_duplicate: ["อาจซ้ำกับรายการเดิม รอการตรวจสอบ", "Possible duplicate, awaiting an answer"],
  inbox_title: ["กล่องรับเรื่องของหน่วยงาน", "Your unit's inbox"], due_in: ["ครบกำหนดใน", "due in"],
  overdue: ["เกินกำหนด", "overdue"], from_unit: ["จาก", "from"], referral_role: ["บทบาทในรายการ", "Role"],
  reason: ["เหตุผล", "Reason"], outcome: ["ผลการดำเนินงาน", "Outcome"], note: ["หมายเหตุ", "Note"],
  confirm: ["ยืนยัน", "Confirm"], cancel: ["ยกเลิก", "Cancel"], receipt_due: ["กำหนดรับเรื่อง", "Receipt due"],
  acceptance_due: ["กำหนดตอบรับ", "Acceptance due"],
  case_title: ["รายการ", "Case"], stage: ["ขั้นตอน", "Stage"], lead_unit: ["หน่วยงานหลัก", "Lead unit"],
  manager: ["ผู้จัดการรายกรณี", "Case manager"], referrals: ["การส่งต่อ", "Referrals"], documents: ["เอกสาร", "Documents"],
  intake_record: ["ข้อมูลการรับแจ้ง", "Intake record"], not_routed: ["ยังไม่ได้ส่งต่อ", "Not routed yet"],
  hidden: ["(ไม่แสดงตามสิทธิ์)", "(withheld by your access)"], find: ["เปิด", "Open"],
  document_type: ["ประเภทเอกสาร", "Type"], file: ["ไฟล์", "File"], upload: ["อัปโหลดเอกสาร", "Upload"], version: ["ฉบับ", "Version"], uploaded_by: ["ผู้อัปโหลด", "Uploaded by"],
  audit_title: ["ประวัติรายการ", "Case history"], timeline: ["ลำดับเหตุการณ์", "Timeline"],
  as_of: ["สถานะ ณ เวลา", "As it stood at"], verify: ["ตรวจสอบหลักฐาน", "Verify the proofs"],
  export_pdf: ["ส่งออกเส้นทางหลักฐาน (PDF)", "Legal trail (PDF)"], export_zip: ["ส่งออกชุดตรวจสอบ (ZIP)", "Verification kit (ZIP)"],
  proof: ["หลักฐาน", "Proof"], proof_ok: ["ยืนยันแล้ว", "verified"], proof_bad: ["ไม่ผ่าน", "failed"],
  proof_pending: ["ยังไม่อยู่ในจุดตรวจ", "not yet under a checkpoint"], proof_unknown: ["ยังไม่ตรวจ", "not checked"],
  signature_ok: ["ลายมือชื่อของจุดตรวจถูกต้อง", "the checkpoint's signature holds"],
  signature_bad: ["ลายมือชื่อของจุดตรวจไม่ถูกต้อง", "the checkpoint's signature does not hold"],
  sequence: ["ลำดับ", "Seq."], time: ["เวลา", "Time"], event: ["เหตุการณ์", "Event"], source: ["ผู้บันทึก", "Source"],
  event_n: ["เหตุการณ์ที่", "event"], of: ["จาก", "of"], state_views: ["มุมมองของแต่ละบริการ", "Each service's view"],
  error: ["เกิดข้อผิดพลาด", "Something went wrong"], forbidden: ["ไม่มีสิทธิ์เข้าถึง", "Not allowed"],
  not_found: ["ไม่พบ", "Not found"],
  sign_checkpoint: ["ลงนามจุดตรวจเดี๋ยวนี้", "Sign a checkpoint now"],
  verify_first: ["กด “ตรวจสอบหลักฐาน” เพื่อตรวจ", "press “Verify the proofs” to check it"],
  leaf_index: ["ลำดับใบในต้นไม้ Merkle", "Leaf index in the Merkle tree"], leaf_hash: ["ค่าแฮชของใบ", "Leaf hash"],
  audit_path: ["เส้นทางพิสูจน์", "Audit path"], nodes: ["โหนด", "nodes"], checkpoint: ["จุดตรวจ", "Checkpoint"],
  tree_size: ["ขนาดต้นไม้", "tree size"], root_hash: ["ค่าแฮชราก", "Root hash"], recorded: ["การบันทึก", "Recorded"],
  recorded_at: ["บันทึกลงบัญชีเมื่อ", "Recorded in the ledger"], position: ["ตำแหน่งใน Kafka (หัวข้อ · พาร์ทิชัน · ออฟเซ็ต)", "Kafka position (topic · partition · offset)"],
  event_id: ["รหัสเหตุการณ์", "Event ID"], event_json: ["เหตุการณ์ตามที่บันทึก (JSON)", "The event as recorded (JSON)"],
};

const LABELS = {
  urgency: { crisis: ["วิกฤต", "Crisis"], urgent: ["เร่งด่วน", "Urgent"], normal: ["ปกติ", "Normal"] },
  channel: { hotline_1300: ["สายด่วน 1300", "1300 hotline"], walk_in: ["มาด้วยตนเอง", "Walk-in"],
    community_volunteer: ["อาสาสมัครชุมชน", "Community volunteer"], agency_system: ["ระบบของหน่วยงาน", "Agency system"],
    police: ["ตำรวจ", "Police"], media_surveillance: ["เฝ้าระวังสื่อ", "Media surveillance"], proactive_survey: ["สำรวจเชิงรุก", "Proactive survey"] },
  request_kind: { case: ["ขอความช่วยเหลือ", "Help with a case"], information_only: ["สอบถามข้อมูล", "Information only"],
    counselling_only: ["ขอคำปรึกษา", "Counselling only"] },
  problem: { domestic_violence: ["ความรุนแรงในครอบครัว", "Domestic violence"],
    child_abuse_or_neglect: ["เด็กถูกทารุณกรรมหรือทอดทิ้ง", "Child abuse or neglect"], sexual_abuse: ["ถูกล่วงละเมิดทางเพศ", "Sexual abuse"],
    human_trafficking: ["การค้ามนุษย์", "Human trafficking"], child_labour: ["แรงงานเด็ก", "Child labour"],
    unplanned_pregnancy: ["ตั้งครรภ์ไม่พร้อม", "Unplanned pregnancy"],
    violence_against_elderly_or_disabled: ["ความรุนแรงต่อผู้สูงอายุหรือคนพิการ", "Violence against elderly or disabled people"],
    destitution_or_homelessness: ["ไร้ที่พึ่งหรือไร้ที่อยู่", "Destitution or homelessness"], begging: ["ขอทาน", "Begging"],
    abandoned_dependent_person: ["ผู้พึ่งพิงถูกทอดทิ้ง", "Abandoned dependent person"], psychiatric_crisis: ["วิกฤตทางจิตเวช", "Psychiatric crisis"],
    household_poverty: ["ครัวเรือนยากจน", "Household poverty"] },
  duty_shift: { office_hours: ["ในเวลาราชการ", "Office hours"], after_hours: ["นอกเวลาราชการ", "After hours"] },
  consent: { not_yet_asked: ["ยังไม่ได้สอบถาม", "Not yet asked"], given: ["ยินยอม", "Given"], refused: ["ไม่ยินยอม", "Refused"],
    unable_to_consent: ["ไม่อยู่ในสภาพที่ให้ความยินยอมได้", "Unable to consent"] },
  nationality: { TH: ["ไทย", "Thai"], MM: ["เมียนมา", "Myanmar"], KH: ["กัมพูชา", "Cambodian"], LA: ["ลาว", "Lao"],
    VN: ["เวียดนาม", "Vietnamese"], CN: ["จีน", "Chinese"], MY: ["มาเลเซีย", "Malaysian"] },
  sex: { female: ["หญิง", "Female"], male: ["ชาย", "Male"], other: ["อื่น ๆ", "Other"], unknown: ["ไม่ทราบ", "Unknown"] },
  relationship: { mother: ["มารดา", "Mother"], father: ["บิดา", "Father"], step_parent: ["พ่อเลี้ยง/แม่เลี้ยง", "Step-parent"],
    grandparent: ["ปู่ย่าตายาย", "Grandparent"], sibling: ["พี่น้อง", "Sibling"], child: ["บุตร", "Child"],
    spouse_or_partner: ["คู่สมรสหรือคู่ครอง", "Spouse or partner"], former_partner: ["อดีตคู่ครอง", "Former partner"],
    relative: ["ญาติ", "Relative"], legal_guardian: ["ผู้ปกครองตามกฎหมาย", "Legal guardian"], foster_parent: ["ผู้อุปการะ", "Foster parent"],
    caregiver: ["ผู้ดูแล", "Caregiver"], employer: ["นายจ้าง", "Employer"], teacher: ["ครู", "Teacher"], neighbour: ["เพื่อนบ้าน", "Neighbour"],
    acquaintance: ["คนรู้จัก", "Acquaintance"], stranger: ["คนแปลกหน้า", "Stranger"], other: ["อื่น ๆ", "Other"], unknown: ["ไม่ทราบ", "Unknown"] },
  case_status: { open: ["เปิดอยู่", "Open"], closed_at_intake: ["ปิดที่ขั้นรับแจ้ง", "Closed at intake"] },
  referral_status: { requested: ["รอรับเรื่อง", "Requested"], received: ["รับเรื่องแล้ว", "Received"], accepted: ["ตอบรับแล้ว", "Accepted"],
    rejected: ["ปฏิเสธ", "Rejected"], in_progress: ["กำลังดำเนินการ", "In progress"], on_hold: ["พักไว้", "On hold"],
    completed: ["เสร็จสิ้น", "Completed"], failed: ["ไม่สำเร็จ", "Failed"], cancelled: ["ยกเลิก", "Cancelled"] },
  action: { receive: ["รับเรื่อง", "Receive"], accept: ["ตอบรับ", "Accept"], reject: ["ปฏิเสธ", "Reject"], start: ["เริ่มดำเนินการ", "Start"],
    hold: ["พักไว้", "Hold"], resume: ["ดำเนินการต่อ", "Resume"], complete: ["ปิดงาน", "Complete"], fail: ["ไม่สำเร็จ", "Fail"],
    cancel: ["ยกเลิก", "Cancel"] },
  reason: { at_capacity: ["รับไม่ได้เพราะเต็ม", "At capacity"], out_of_area: ["อยู่นอกพื้นที่", "Out of area"],
    not_eligible: ["ไม่เข้าเกณฑ์", "Not eligible"], missing_information: ["ข้อมูลไม่ครบ", "Missing information"],
    client_declined: ["ผู้ประสบปัญหาปฏิเสธ", "Client declined"], client_unreachable: ["ติดต่อไม่ได้", "Client unreachable"],
    client_moved: ["ย้ายที่อยู่", "Client moved"], client_hospitalised: ["อยู่ในโรงพยาบาล", "Client hospitalised"],
    awaiting_documents: ["รอเอกสาร", "Awaiting documents"], duplicate: ["ซ้ำ", "Duplicate"], rerouted: ["ส่งต่อใหม่", "Rerouted"],
    closed_at_intake: ["ปิดที่ขั้นรับแจ้ง", "Closed at intake"], other: ["อื่น ๆ", "Other"] },
  outcome: { services_delivered: ["ให้บริการแล้ว", "Services delivered"], client_safe: ["ผู้ประสบปัญหาปลอดภัย", "Client safe"],
    petition_filed: ["ยื่นคำร้องแล้ว (คส.1)", "Petition filed (KS.1)"], shelter_placement: ["รับเข้าบ้านพัก", "Shelter placement"],
    referred_on: ["ส่งต่อหน่วยงานอื่น", "Referred on"], surveillance_in_place: ["มีการเฝ้าระวัง", "Surveillance in place"], other: ["อื่น ๆ", "Other"] },
  stage: { intake: ["รับแจ้ง", "Intake"], screening_and_referral: ["คัดกรองและส่งต่อ", "Screening and referral"],
    assessment: ["ประเมิน", "Assessment"], care_planning: ["วางแผน", "Care planning"], implementation: ["ดำเนินการตามแผน", "Implementation"],
    monitoring: ["ติดตาม", "Monitoring"], reassessment: ["ประเมินซ้ำ", "Reassessment"], disengagement: ["ยุติ", "Disengagement"],
    surveillance: ["เฝ้าระวัง", "Surveillance"] },
  referral_role: { lead: ["หน่วยงานหลัก", "Lead"], welfare_protection_petition: ["ยื่นคำร้องคุ้มครองสวัสดิภาพ", "Welfare-protection petition"],
    surveillance: ["เฝ้าระวัง", "Surveillance"], support: ["สนับสนุน", "Support"] },
  role: { hotline_operator: ["เจ้าหน้าที่สายด่วน", "Hotline operator"], social_worker: ["นักสังคมสงเคราะห์ (พมจ.)", "Social worker"],
    shelter_social_worker: ["นักสังคมสงเคราะห์บ้านพัก", "Shelter social worker"], prosecutor: ["พนักงานอัยการ", "Prosecutor"],
    tambon_centre_officer: ["เจ้าหน้าที่ศูนย์ประสานงานตำบล", "Tambon centre officer"], supervisor: ["หัวหน้างาน", "Supervisor"],
    auditor: ["ผู้ตรวจสอบ", "Auditor"], administrator: ["ผู้ดูแลระบบ", "Administrator"], agency_system: ["ระบบของหน่วยงาน", "Agency system"] },
};

let language = localStorage.getItem("saphan.language") === "en" ? "en" : "th";

export const currentLanguage = () => language;

export function setLanguage(next) {
  language = next;
  localStorage.setItem("saphan.language", next);
  document.documentElement.lang = next;
}

export function t(key) {
  const word = WORDS[key];
  return word ? word[language === "th" ? 0 : 1] : key;
}

export function label(kind, code) {
  const found = LABELS[kind]?.[code];
  return found ? found[language === "th" ? 0 : 1] : (code ?? "—");
}

export const codes = (kind) => Object.keys(LABELS[kind] ?? {});

export function when(value) {
  if (!value) return "—";
  return new Date(value).toLocaleString(language === "th" ? "th-TH" : "en-GB",
    { dateStyle: "medium", timeStyle: "medium", timeZone: "Asia/Bangkok" });
}

export function duration(milliseconds) {
  const total = Math.floor(Math.abs(milliseconds) / 1000);
  const [d, hh, mm, ss] = [Math.floor(total / 86400), Math.floor(total / 3600) % 24, Math.floor(total / 60) % 60, total % 60];
  const clock = `${String(hh).padStart(2, "0")}:${String(mm).padStart(2, "0")}:${String(ss).padStart(2, "0")}`;
  return d ? `${d}${language === "th" ? " วัน " : "d "}${clock}` : clock;
}

export function translatePage(root = document) {
  for (const node of root.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
}
