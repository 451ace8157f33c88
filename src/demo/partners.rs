//! The community partners of DOMAIN.md, with public contact details (telephone numbers in the
//! 555-01xx range kept for fiction, addresses in a made-up town, e-mail at example.org; the 988
//! Lifeline is the real one).

use chrono::{DateTime, Utc};

use crate::db::enums::MouStatus;
use crate::db::json::Json;
use crate::ids::{PartnerId, ServiceId};
use crate::partners::payloads::{AddressBody, PhoneBody};

use super::people::id_at;
use super::rng::Rng;
use crate::partners::model::{NewPartner, ServiceRow};

/// A service: name, description, categories, eligibility, hours, accepts referrals.
type ServiceSpec = (
    &'static str,
    &'static str,
    &'static [&'static str],
    Option<&'static str>,
    &'static str,
    bool,
);

struct Spec {
    name: &'static str,
    description: &'static str,
    website: &'static str,
    email: Option<&'static str>,
    phone: (&'static str, &'static str),
    street: Option<&'static str>,
    mou: MouStatus,
    active: bool,
    services: &'static [ServiceSpec],
}

const DIRECTORY: &[Spec] = &[
    Spec {
        name: "Prairie County Health Department Crisis Services",
        description: "The county's public behavioural-health crisis service: a 24-hour crisis line, a mobile crisis team and substance-use treatment intake.",
        website: "https://health.prairie-county.example.org/crisis",
        email: Some("crisis@prairie-county.example.org"),
        phone: ("217-555-0100", "24-hour crisis line"),
        street: Some("200 S Main St"),
        mou: MouStatus::Signed,
        active: true,
        services: &[
            (
                "24-hour crisis line",
                "Telephone crisis counselling and safety planning, any hour.",
                &["crisis", "mental_health"],
                None,
                "24 hours, 7 days",
                true,
            ),
            (
                "Mobile crisis team",
                "Clinicians who visit the person at home within 24 hours of a referral.",
                &["crisis", "mental_health", "outreach"],
                Some("Adults in Prairie County"),
                "8:00-22:00 daily",
                true,
            ),
            (
                "Substance-use treatment intake",
                "Assessment and placement in outpatient or residential treatment.",
                &["substance_use"],
                Some("Adults 18 and over"),
                "Mon-Fri 8:00-17:00",
                true,
            ),
        ],
    },
    Spec {
        name: "NAMI Prairie County",
        description: "The local affiliate of the National Alliance on Mental Illness: education and support for people living with mental illness and their families.",
        website: "https://nami-prairie.example.org",
        email: Some("info@nami-prairie.example.org"),
        phone: ("217-555-0110", "Helpline"),
        street: Some("415 Oak Ave, Suite 3"),
        mou: MouStatus::Signed,
        active: true,
        services: &[
            (
                "Family-to-Family education",
                "An eight-session course for family members of people with mental illness.",
                &["family_support", "mental_health"],
                None,
                "Tue 18:30-21:00",
                true,
            ),
            (
                "Peer support groups",
                "Weekly recovery support groups led by trained peers.",
                &["peer_support", "mental_health"],
                None,
                "Thu 18:00-19:30",
                true,
            ),
        ],
    },
    Spec {
        name: "Riverbend Behavioral Health Hospital",
        description: "A behavioural health hospital with inpatient, intensive outpatient and walk-in assessment services.",
        website: "https://riverbend-bhh.example.org",
        email: Some("referrals@riverbend-bhh.example.org"),
        phone: ("217-555-0120", "Assessment and referral"),
        street: Some("1800 River Dr"),
        mou: MouStatus::Signed,
        active: true,
        services: &[
            (
                "Outpatient psychiatric assessment",
                "Walk-in or scheduled assessment by a psychiatrist or licensed clinician.",
                &["mental_health", "medical"],
                None,
                "24 hours, 7 days",
                true,
            ),
            (
                "Intensive outpatient program",
                "Three-hour group therapy sessions, three to five days a week.",
                &["mental_health"],
                Some("Adults 18 and over"),
                "Mon-Fri 9:00-12:00",
                true,
            ),
        ],
    },
    Spec {
        name: "Prairie County Youth Services",
        description: "Crisis counselling and family support for young people up to 21 and their families.",
        website: "https://youth.prairie-county.example.org",
        email: Some("help@youth-prairie.example.org"),
        phone: ("217-555-0130", "Youth crisis line"),
        street: Some("77 Washington St"),
        mou: MouStatus::Draft,
        active: true,
        services: &[(
            "Youth and family crisis counselling",
            "Short-term counselling for young people in crisis and their families.",
            &["youth", "mental_health", "family_support"],
            Some("Ages 10 to 21"),
            "Mon-Sat 9:00-20:00",
            true,
        )],
    },
    Spec {
        name: "988 Suicide & Crisis Lifeline",
        description: "The national suicide and crisis lifeline: free and confidential support by call, text or chat.",
        website: "https://988lifeline.org",
        email: None,
        phone: ("988", "Call or text"),
        street: None,
        mou: MouStatus::None,
        active: true,
        services: &[(
            "Call, text or chat 988",
            "Free, confidential crisis support with a trained counsellor.",
            &["crisis", "suicide_prevention"],
            None,
            "24 hours, 7 days",
            false,
        )],
    },
    Spec {
        name: "Lakeside Recovery House",
        description: "A sober-living residence; the program's agreement lapsed in 2024.",
        website: "https://lakeside-recovery.example.org",
        email: Some("intake@lakeside-recovery.example.org"),
        phone: ("217-555-0150", "Intake"),
        street: Some("9 Lake St"),
        mou: MouStatus::Expired,
        active: false,
        services: &[(
            "Sober-living residence",
            "Supportive housing for people in recovery.",
            &["substance_use", "housing"],
            Some("Adults in recovery"),
            "Intake Mon-Fri",
            true,
        )],
    },
];

/// The partners and their services, in directory order.
pub fn directory(rng: &Rng, now: DateTime<Utc>) -> (Vec<NewPartner>, Vec<Vec<ServiceRow>>) {
    let mut rng = rng.fork("partners");
    let mut partners = Vec::new();
    let mut services = Vec::new();
    for spec in DIRECTORY {
        let id = PartnerId::from_uuid(id_at(&mut rng, now));
        partners.push(NewPartner {
            id,
            name: spec.name.to_owned(),
            description: spec.description.to_owned(),
            website: Some(spec.website.to_owned()),
            email: spec.email.map(str::to_owned),
            phones: Json(vec![PhoneBody {
                number: spec.phone.0.to_owned(),
                description: Some(spec.phone.1.to_owned()),
            }]),
            address: spec.street.map(|street| {
                Json(AddressBody {
                    address_1: street.to_owned(),
                    city: "Prairie City".to_owned(),
                    state_province: "IL".to_owned(),
                    postal_code: "61999".to_owned(),
                    country: "US".to_owned(),
                })
            }),
            mou_status: spec.mou,
            active: spec.active,
            created_at: now,
            updated_at: now,
        });
        services.push(
            spec.services
                .iter()
                .enumerate()
                .map(
                    |(position, (name, description, categories, eligibility, hours, accepts))| {
                        ServiceRow {
                            id: ServiceId::from_uuid(id_at(&mut rng, now)),
                            partner_id: id,
                            position: i32::try_from(position).unwrap_or(0),
                            name: (*name).to_owned(),
                            description: (*description).to_owned(),
                            categories: categories.iter().map(|c| (*c).to_owned()).collect(),
                            eligibility: eligibility.map(str::to_owned),
                            hours: Some((*hours).to_owned()),
                            accepts_referrals: *accepts,
                            withdrawn_at: None,
                            updated_at: now,
                        }
                    },
                )
                .collect(),
        );
    }
    (partners, services)
}
