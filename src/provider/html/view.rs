//! The HTML view of one record section, rendered from the patient's clinical record (the same seeded
//! record Access Record Structured serves), laid out as the 0.7.x views say: `<h1>` title, GP transfer
//! banner, then per (sub)section its `<h2>`, banners and table, or the "no data" fragment in its place.
//! Built as one string without whitespace between tags (no CR, LF or TAB anywhere).
//!
//! HTML layout: <https://developer.nhs.uk/apis/gpconnect-0-7-2/accessrecord_html_layout.html>
//! HTML implementation guide (views of each section): <https://developer.nhs.uk/apis/gpconnect-0-7-2/accessrecord_development_html_implementation_guide.html>

use chrono::{Duration, NaiveDate};

use crate::gpconnect::html::{self as gh, banner, DateBanner, Layout, Section, Table};
use crate::gpconnect::structured::Area;
use crate::provider::faults::{Fault, FaultSet};
use crate::provider::structured::record::{ClinicalRecord, Detail, Item, Prescription};

/// What shapes the view besides the record.
#[derive(Debug, Clone)]
pub struct ViewRequest<'a> {
    pub section: Section,
    pub version: &'a str,
    /// Whole days, either end open; `None` when no period was sent.
    pub period: Option<(Option<NaiveDate>, Option<NaiveDate>)>,
    pub today: NaiveDate,
}

/// Escape text for XHTML content.
fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn date(d: NaiveDate) -> String {
    gh::format_date(d)
}

fn in_period(d: NaiveDate, period: Option<(Option<NaiveDate>, Option<NaiveDate>)>) -> bool {
    match period {
        None => true,
        Some((start, end)) => start.is_none_or(|s| d >= s) && end.is_none_or(|e| d <= e),
    }
}

/// One table row: cells in column order; a group row spans the table.
enum Row {
    Cells(Vec<String>),
    Group(String),
}

/// The rows of one table and whether confidential items were left out.
struct Rows {
    rows: Vec<Row>,
    excluded: bool,
}

/// A banner: a `div` of its class (0.7.0+; at 0.5.x without one) wrapping the text in a `<p>`.
fn banner_div(layout: &Layout, class: &str, text: &str) -> String {
    if layout.ids_and_classes {
        format!("<div class=\"{class}\"><p>{}</p></div>", esc(text))
    } else {
        format!("<div><p>{}</p></div>", esc(text))
    }
}

/// Render the section's `<div>`: at 0.7.x the `<h1>` title, then the tables (multi-table sections
/// each in a `div` under its `<h2>`); at 0.5.x every table in a `div` under its own `<h2>`.
pub fn render(record: &ClinicalRecord, req: &ViewRequest, faults: &FaultSet) -> String {
    let section = req.section;
    let layout = Layout::of(req.version);
    let mut html = format!("<div xmlns=\"{}\">", gh::XHTML_NS);
    if layout.section_heading {
        html.push_str(&format!("<h1>{}</h1>", esc(section.title())));
    }
    if record.in_transit {
        let since = date(req.today - Duration::days(7));
        let (before, after) = layout.transfer;
        html.push_str(&banner_div(
            &layout,
            banner::CLASS_TRANSFER,
            &format!("{before}{since}{after}"),
        ));
    }
    if faults.has(Fault::HtmlScriptInView) {
        html.push_str("<script>document.title='x'</script>");
    }
    for t in section.tables(req.version) {
        let rows = rows(record, section, &t, req, faults);
        let heading = t.heading.unwrap_or(section.title());
        let own_heading = t.heading.is_some() || !layout.section_heading;
        if own_heading {
            html.push_str(&format!("<div><h2>{}</h2>", esc(heading)));
        }
        if let Some(text) = t.content_banner {
            html.push_str(&banner_div(&layout, banner::CLASS_CONTENT, text));
        }
        if let Some(text) = date_banner(&t, req, &layout) {
            if !faults.has(Fault::HtmlDateBannerMissing) {
                html.push_str(&banner_div(&layout, banner::CLASS_DATE, &text));
            }
        }
        if rows.excluded {
            html.push_str(&banner_div(
                &layout,
                banner::CLASS_EXCLUSION,
                "Items excluded due to confidentiality and/or patient preferences",
            ));
        }
        if rows.rows.is_empty() {
            html.push_str(&format!(
                "<div><p>{}</p></div>",
                esc(&banner::no_data(heading))
            ));
        } else {
            html.push_str(&table_html(&t, &rows.rows, &layout, faults));
        }
        if own_heading {
            html.push_str("</div>");
        }
    }
    html.push_str("</div>");
    html
}

fn date_banner(t: &Table, req: &ViewRequest, layout: &Layout) -> Option<String> {
    match (t.banner, req.period) {
        // 0.5.x shows All relevant items in every table while no period is sent.
        (DateBanner::None, None) if !layout.section_heading => {
            Some(layout.all_relevant.to_string())
        }
        (DateBanner::None, _) => None,
        (DateBanner::Filtered | DateBanner::NotApplied, None) => {
            Some(layout.all_relevant.to_string())
        }
        (DateBanner::NotApplied, Some(_)) => Some(banner::NOT_APPLIED.to_string()),
        (DateBanner::Filtered, Some((start, end))) => {
            Some(layout.period_banner(start.map(date).as_deref(), end.map(date).as_deref()))
        }
    }
}

fn table_html(t: &Table, rows: &[Row], layout: &Layout, faults: &FaultSet) -> String {
    let marked = layout.ids_and_classes;
    let mut columns: Vec<&str> = t.columns.to_vec();
    if faults.has(Fault::HtmlColumnsOutOfOrder) && columns.len() > 2 {
        columns.swap(1, 2);
    }
    let head: String = columns
        .iter()
        .map(|c| format!("<th>{}</th>", esc(c)))
        .collect();
    let body: String = rows
        .iter()
        .map(|r| match r {
            Row::Group(title) if marked => format!(
                "<tr><td colspan=\"{}\" class=\"{}\"><b>{}</b></td></tr>",
                t.columns.len(),
                gh::MED_ITEM_CLASS,
                esc(title)
            ),
            Row::Group(title) => format!("<tr><td><b>{}</b></td></tr>", esc(title)),
            Row::Cells(cells) => {
                let tds: String = cells
                    .iter()
                    .enumerate()
                    .map(|(i, v)| {
                        if marked && t.date_columns.contains(&i) && !v.is_empty() {
                            format!("<td class=\"{}\">{}</td>", gh::DATE_COLUMN_CLASS, esc(v))
                        } else {
                            format!("<td>{}</td>", esc(v))
                        }
                    })
                    .collect();
                format!("<tr>{tds}</tr>")
            }
        })
        .collect();
    let id = if marked {
        format!(" id=\"{}\"", t.id)
    } else {
        String::new()
    };
    format!("<table{id}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")
}

/// The record's items of `area` that `keep` selects, newest first, noting confidential ones left out.
fn pick(record: &ClinicalRecord, area: Area, keep: impl Fn(&Item) -> bool) -> (Vec<&Item>, bool) {
    let mut items: Vec<&Item> = record
        .items
        .iter()
        .filter(|i| i.area == area && keep(i))
        .collect();
    let excluded = items.iter().any(|i| i.confidential);
    items.retain(|i| !i.confidential);
    items.sort_by_key(|i| std::cmp::Reverse(i.date));
    (items, excluded)
}

fn cells(values: &[&str]) -> Row {
    Row::Cells(values.iter().map(|v| v.to_string()).collect())
}

fn rows(
    record: &ClinicalRecord,
    section: Section,
    t: &Table,
    req: &ViewRequest,
    faults: &FaultSet,
) -> Rows {
    // The period applies where the table's banner says it does.
    let period = if t.banner == DateBanner::Filtered {
        req.period
    } else {
        None
    };
    // The fault reads the period's end as exclusive, dropping the items of its last day.
    let period = match period {
        Some((start, Some(end))) if faults.has(Fault::HtmlPeriodEndExclusive) => {
            Some((start, end.pred_opt()))
        }
        p => p,
    };
    let today = req.today;
    let inp = |i: &Item| in_period(i.date, period);
    let (items, excluded): (Vec<&Item>, bool) = match t.id {
        "adm-tab" => pick(record, Area::Diary, |i| {
            inp(i) && matches!(i.detail, Detail::Diary { complete: false })
        }),
        "cli-tab" if section == Section::Sum => (Vec::new(), false),
        "cli-tab" | "obs-tab" => pick(record, Area::Uncategorised, |i| {
            inp(i)
                && matches!(
                    i.detail,
                    Detail::Observation {
                        immunisation_status: false,
                        ..
                    }
                )
        }),
        "enc-tab" => {
            let (mut items, excluded) = pick(record, Area::Consultations, inp);
            if section == Section::Sum {
                items.truncate(3);
            }
            (items, excluded)
        }
        "imm-tab" => pick(record, Area::Immunisations, |i| {
            matches!(i.detail, Detail::Immunisation { given: true })
        }),
        "ref-tab" => pick(record, Area::Referrals, |i| {
            inp(i)
                && matches!(
                    i.detail,
                    Detail::Referral {
                        entered_in_error: false
                    }
                )
        }),
        "all-tab-curr" => pick(record, Area::Allergies, |i| {
            matches!(i.detail, Detail::Allergy { ended: None, .. })
        }),
        "all-tab-hist" => pick(record, Area::Allergies, |i| {
            matches!(i.detail, Detail::Allergy { ended: Some(_), .. })
        }),
        "prb-tab-act" => pick(record, Area::Problems, |i| {
            matches!(i.detail, Detail::Problem { active: true, .. })
        }),
        "prb-tab-majinact" => pick(record, Area::Problems, |i| {
            matches!(
                i.detail,
                Detail::Problem {
                    active: false,
                    major: true,
                    ..
                }
            ) && in_period(i.end.unwrap_or(i.date), period)
        }),
        gh::INACTIVE_PROBLEMS_05 => pick(record, Area::Problems, |i| {
            matches!(i.detail, Detail::Problem { active: false, .. })
                && in_period(i.end.unwrap_or(i.date), period)
        }),
        gh::PAST_MEDICATIONS_05 => pick(record, Area::Medication, |i| {
            i.end.is_some_and(|e| e < today) && medication_overlaps(i, period)
        }),
        "prb-tab-othinact" => pick(record, Area::Problems, |i| {
            matches!(
                i.detail,
                Detail::Problem {
                    active: false,
                    major: false,
                    ..
                }
            ) && in_period(i.end.unwrap_or(i.date), period)
        }),
        "med-tab-acu-med" => pick(record, Area::Medication, |i| {
            prescription(i) == Some(Prescription::Acute) && i.date > today - Duration::days(365)
        }),
        "med-tab-curr-rep" => pick(record, Area::Medication, |i| {
            prescription(i) == Some(Prescription::Repeat) && i.end.is_none_or(|e| e >= today)
        }),
        "med-tab-dis-rep" => pick(record, Area::Medication, |i| {
            prescription(i) == Some(Prescription::Repeat) && i.end.is_some_and(|e| e < today)
        }),
        "med-tab-all-sum" | "med-tab-all-iss" => {
            pick(record, Area::Medication, |i| medication_overlaps(i, period))
        }
        _ => (Vec::new(), false),
    };
    let rows = match t.id {
        gh::med::ALL_SUMMARY_TABLE | gh::med::ALL_ISSUES_TABLE => {
            grouped_medication(t.id, &items, faults)
        }
        _ if !Layout::of(req.version).section_heading => {
            items.iter().map(|i| row_05(t, i)).collect()
        }
        _ => items.iter().map(|i| row(t.id, i)).collect(),
    };
    Rows { rows, excluded }
}

fn prescription(i: &Item) -> Option<Prescription> {
    match &i.detail {
        Detail::Medication { prescription, .. } => Some(*prescription),
        _ => None,
    }
}

/// All Medication's date rule: a course with an end overlaps the period; a repeat without one runs on;
/// an acute without one is in when it starts within the period.
fn medication_overlaps(i: &Item, period: Option<(Option<NaiveDate>, Option<NaiveDate>)>) -> bool {
    let Some((start, end)) = period else {
        return true;
    };
    let starts_before_end = end.is_none_or(|e| i.date <= e);
    match (i.end, prescription(i)) {
        (Some(stop), _) => starts_before_end && start.is_none_or(|s| stop >= s),
        (None, Some(Prescription::Repeat)) => starts_before_end,
        (None, _) => in_period(i.date, period),
    }
}

fn medicine(i: &Item) -> String {
    match &i.detail {
        Detail::Medication { medicine, .. } => medicine.1.to_string(),
        _ => i.code.1.to_string(),
    }
}

fn issues(i: &Item) -> Vec<NaiveDate> {
    match &i.detail {
        Detail::Medication { issues, .. } => {
            let mut v = issues.clone();
            v.sort_by(|a, b| b.cmp(a));
            v
        }
        _ => Vec::new(),
    }
}

fn kind(i: &Item) -> &'static str {
    match &i.detail {
        Detail::Medication {
            elsewhere: true, ..
        } => "Repeat - Prescribed elsewhere",
        Detail::Medication {
            prescription: Prescription::Acute,
            ..
        } => "Acute",
        _ => "Repeat",
    }
}

const DOSAGE: &str = "As directed";
const QUANTITY: &str = "1 pack";

fn row(table: &str, i: &Item) -> Row {
    let d = date(i.date);
    let end = i.end.map(date).unwrap_or_default();
    let name = i.code.1;
    match (table, &i.detail) {
        ("adm-tab", _) => cells(&[&d, name, "Diary entry"]),
        ("cli-tab", Detail::Observation { value, .. }) => cells(&[&d, name, value]),
        ("obs-tab", Detail::Observation { value, .. }) => cells(&[&d, name, value, "", ""]),
        ("enc-tab", _) => cells(&[&d, "Consultation at the practice", name]),
        ("imm-tab", _) => cells(&[&d, name, "1", "", "Given"]),
        ("ref-tab", _) => cells(&[&d, "The practice", "Specialist service", "Routine", name]),
        ("all-tab-curr", _) => cells(&[&d, name]),
        ("all-tab-hist", Detail::Allergy { ended, .. }) => {
            let end = ended.map(|(e, _)| date(e)).unwrap_or_default();
            let reason = ended.and_then(|(_, r)| r).unwrap_or("");
            cells(&[&d, &end, format!("{name} {reason}").trim()])
        }
        ("prb-tab-act", Detail::Problem { major, .. }) => {
            cells(&[&d, name, if *major { "Major" } else { "Minor" }, ""])
        }
        ("prb-tab-majinact" | "prb-tab-othinact", Detail::Problem { major, .. }) => {
            cells(&[&d, &end, name, if *major { "Major" } else { "Minor" }, ""])
        }
        ("med-tab-acu-med", _) => {
            let scheduled = date(i.end.unwrap_or(i.date + Duration::days(28)));
            cells(&[
                kind(i),
                &d,
                &medicine(i),
                DOSAGE,
                QUANTITY,
                &scheduled,
                "28",
                "",
            ])
        }
        ("med-tab-curr-rep", _) => {
            let issued = issues(i);
            let last = issued.first().map(|d| date(*d)).unwrap_or_default();
            let review = date(i.date + Duration::days(365));
            cells(&[
                kind(i),
                &d,
                &medicine(i),
                DOSAGE,
                QUANTITY,
                &last,
                &issued.len().to_string(),
                "6",
                &review,
                "",
            ])
        }
        ("med-tab-dis-rep", _) => {
            let last = issues(i).first().map(|d| date(*d)).unwrap_or_default();
            cells(&[
                kind(i),
                &last,
                &medicine(i),
                DOSAGE,
                QUANTITY,
                &end,
                "Clinical decision",
                "DISCONTINUED: course ended",
            ])
        }
        _ => cells(&[&d, name]),
    }
}

/// The 0.7 table whose row a 0.5.x table's row is drawn from, and the 0.7 column each 0.5.x column
/// shows (the same name where it kept it).
fn source_05(t: &Table) -> (&'static str, &'static [&'static str]) {
    let id = match t.id {
        gh::INACTIVE_PROBLEMS_05 => "prb-tab-majinact",
        gh::PAST_MEDICATIONS_05 => "med-tab-dis-rep",
        id => id,
    };
    // The first 0.7 table of that id (Clinical Items' cli-tab, not the Summary's Emergency Codes,
    // which has no rows).
    let columns = Section::ALL
        .iter()
        .flat_map(|s| s.all_tables())
        .find(|s| s.id == id)
        .map(|s| s.columns)
        .unwrap_or_default();
    (id, columns)
}

fn row_05(t: &Table, i: &Item) -> Row {
    let (id, columns) = source_05(t);
    let cells = match row(id, i) {
        Row::Cells(cells) => cells,
        group => return group,
    };
    let medication = id.starts_with("med-");
    Row::Cells(
        t.columns
            .iter()
            .map(|c| {
                let named = match *c {
                    "Scheduled End" => "Scheduled End Date",
                    "Last Issued" => "Last Issued Date",
                    "Number Issued" => "Number of Prescriptions Issued",
                    "Details" if medication => "Additional Information",
                    other => other,
                };
                match columns.iter().position(|k| *k == named) {
                    Some(p) => cells.get(p).cloned().unwrap_or_default(),
                    None if *c == "Start Date" => date(i.date),
                    None => String::new(),
                }
            })
            .collect(),
    )
}

/// All Medication and All Medication Issues: groups by medication item (ascending), rows newest first.
/// A group whose medications were never issued heads no rows in the issues table.
fn grouped_medication(table: &str, items: &[&Item], faults: &FaultSet) -> Vec<Row> {
    let mut names: Vec<String> = items.iter().map(|i| medicine(i)).collect();
    names.sort();
    names.dedup();
    let mut out = Vec::new();
    for name in names {
        let of_name: Vec<&&Item> = items.iter().filter(|i| medicine(i) == name).collect();
        if table == gh::med::ALL_SUMMARY_TABLE {
            out.push(Row::Group(name.clone()));
            for i in of_name {
                let issued = issues(i);
                let latest = if faults.has(Fault::HtmlMedicationLastIssueFirst) {
                    issued.last()
                } else {
                    issued.first()
                };
                let discontinued = i
                    .end
                    .map(|e| format!("Ended {}", date(e)))
                    .unwrap_or_default();
                out.push(Row::Cells(vec![
                    kind(i).into(),
                    date(i.date),
                    name.clone(),
                    DOSAGE.into(),
                    QUANTITY.into(),
                    latest.map(|d| date(*d)).unwrap_or_default(),
                    issued.len().to_string(),
                    discontinued,
                    String::new(),
                ]));
            }
        } else {
            let mut issued: Vec<(NaiveDate, &Item)> = of_name
                .iter()
                .flat_map(|i| issues(i).into_iter().map(move |d| (d, **i)))
                .collect();
            if issued.is_empty() {
                continue;
            }
            issued.sort_by_key(|(d, _)| std::cmp::Reverse(*d));
            out.push(Row::Group(name.clone()));
            for (d, i) in issued {
                out.push(Row::Cells(vec![
                    kind(i).into(),
                    date(d),
                    name.clone(),
                    DOSAGE.into(),
                    QUANTITY.into(),
                    "28".into(),
                    String::new(),
                ]));
            }
        }
    }
    out
}
