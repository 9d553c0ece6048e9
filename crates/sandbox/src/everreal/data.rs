//! The seeded tenant: its account (user, company, partner) and the records the GraphQL API
//! serves (owners, properties, units, listings, candidates, contracts, tenants), with the
//! upserts and detaches that change them.
//!
//! Records are JSON objects whose members are the GraphQL field names; members starting with
//! `_` are the sandbox's own bookkeeping (links, the integration source) and are never shown.

use chrono::{DateTime, SecondsFormat};
use serde_json::{Map, Value, json};

use crate::shared::json::number;
use crate::shared::seed::SeededRng;

/// 2024-01-01T00:00:00Z: seeded records were created in the weeks after this instant.
const EPOCH: i64 = 1_704_067_200;

/// One record.
pub(crate) type Row = Map<String, Value>;

/// ISO-8601 UTC with milliseconds, as the vendor writes date-times.
pub(crate) fn iso(unix: i64) -> String {
    DateTime::from_timestamp(unix, 0)
        .map(|t| t.to_rfc3339_opts(SecondsFormat::Millis, true))
        .unwrap_or_default()
}

/// `YYYY-MM-DD` of a unix time.
fn date(unix: i64) -> String {
    DateTime::from_timestamp(unix, 0)
        .map(|t| t.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

/// A record as a webhook delivers it: without the sandbox's bookkeeping.
pub(crate) fn public(row: &Row) -> Value {
    Value::Object(
        row.iter()
            .filter(|(k, _)| !k.starts_with('_'))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
    )
}

/// The kinds of records.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Collection {
    Owners,
    Properties,
    Units,
    Listings,
    Candidates,
    Contracts,
    Tenants,
}

impl Collection {
    /// The collection whose records have GraphQL type `name`.
    pub(crate) fn of_type(name: &str) -> Option<Self> {
        Some(match name {
            "Owner" => Self::Owners,
            "Property" => Self::Properties,
            "Unit" => Self::Units,
            "Listing" => Self::Listings,
            "Candidate" => Self::Candidates,
            "Contract" => Self::Contracts,
            "Tenant" => Self::Tenants,
            _ => return None,
        })
    }
}

/// The user, company and partner the API user belongs to.
#[derive(Clone, Debug)]
pub(crate) struct Account {
    pub(crate) user_id: String,
    pub(crate) email: String,
    pub(crate) first_name: &'static str,
    pub(crate) last_name: &'static str,
    pub(crate) company_id: String,
    pub(crate) company_name: String,
    pub(crate) partner_id: String,
    pub(crate) partner_name: String,
    pub(crate) subdomain: String,
    pub(crate) created_at: String,
    pub(crate) updated_at: String,
}

/// Every record of the tenant.
#[derive(Debug)]
pub(crate) struct Data {
    pub(crate) account: Account,
    owners: Vec<Row>,
    properties: Vec<Row>,
    units: Vec<Row>,
    listings: Vec<Row>,
    candidates: Vec<Row>,
    contracts: Vec<Row>,
    tenants: Vec<Row>,
    /// Ids of records created through the API: from the seed, so the same calls give the same
    /// ids.
    ids: SeededRng,
}

const OWNERS: [(&str, &str, Option<&str>, &str); 3] = [
    (
        "Ivana",
        "Maric",
        Some("Maric Verwaltung GmbH"),
        "+49 211 555 0101",
    ),
    ("Jonas", "Becker", None, "+49 30 555 0102"),
    ("Leonie", "Wagner", None, "+49 40 555 0103"),
];

const STREETS: [(&str, &str, &str, &str, f64, f64); 4] = [
    ("Villenallee", "21", "40211", "Düsseldorf", 51.2277, 6.7735),
    ("Lindenstraße", "4", "10969", "Berlin", 52.5043, 13.3946),
    ("Hafenweg", "12", "20457", "Hamburg", 53.5413, 9.9847),
    ("Am Markt", "7", "50667", "Köln", 50.9375, 6.9603),
];

const PEOPLE: [(&str, &str); 13] = [
    ("Max", "Mustermann"),
    ("Erika", "Musterfrau"),
    ("Lukas", "Schmidt"),
    ("Mia", "Fischer"),
    ("Paul", "Weber"),
    ("Emma", "Meyer"),
    ("Felix", "Schulz"),
    ("Hannah", "Koch"),
    ("Jonas", "Richter"),
    ("Lea", "Klein"),
    ("Noah", "Wolf"),
    ("Sophie", "Neumann"),
    ("Ben", "Schwarz"),
];

const AMENITIES: [&str; 5] = [
    "BALCONY_OR_TERRACE",
    "BUILTIN_KITCHEN",
    "ELEVATOR",
    "BASEMENT",
    "GUEST_TOILET",
];

const SCHEDULED: [&str; 6] = [
    "NOT_INVITED",
    "INVITED",
    "SCHEDULED",
    "NEW_TIMESLOTS_REQUESTED",
    "CANDIDATE_CANCELLED",
    "ADMIN_CANCELLED",
];

/// Status and flow of the seeded contracts (`CONTRACT_STATUS` values are invented).
const CONTRACTS: [(&str, &str); 4] = [
    ("SIGNED", "ELECTRONIC_SIGNATURE_V2"),
    ("PARTIALLY_SIGNED", "VIRTUAL"),
    ("STARTED", "DOWNLOAD_UPLOAD"),
    ("WITHDRAWN", "OFFLINE"),
];

/// The integration source of seeded records.
const SEED_SOURCE: &str = "SANDBOX_SEED";

fn email(first: &str, last: &str, domain: &str) -> String {
    let ascii = |s: &str| {
        s.to_lowercase()
            .replace('ä', "ae")
            .replace('ö', "oe")
            .replace('ü', "ue")
            .replace('ß', "ss")
    };
    format!("{}.{}@{domain}", ascii(first), ascii(last))
}

fn descriptions(what: &str) -> Value {
    json!({
        "object": format!("{what}: bright and well kept."),
        "amenities": "Fitted kitchen, parquet floors.",
        "location": "Quiet street, shops and transport nearby.",
        "other": null,
    })
}

fn money(x: f64) -> Value {
    number(x, 2)
}

impl Data {
    /// The tenant of `seed`: 3 owners, 4 properties of 6 units each (the sixth a parking
    /// space; units 1, 3 and 5 leased), 6 listings for vacant flats (4 active, 1 inactive, 1
    /// archived), 2 candidates per listing, 4 contracts and 13 tenants.
    pub(crate) fn generate(seed: u64, subdomain: &str, username: &str) -> Self {
        let mut rng = SeededRng::derive(seed, &[0x0E7E_2EA1]);
        let at = |rng: &mut SeededRng, days: i64| EPOCH + rng.int(0, days * 86_400);
        let partner_name = {
            let mut chars = subdomain.chars();
            chars
                .next()
                .map(|c| c.to_uppercase().chain(chars).collect::<String>())
                .unwrap_or_default()
        };
        let account = Account {
            user_id: rng.uuid(),
            email: username.to_owned(),
            first_name: "Jane",
            last_name: "Doe",
            company_id: rng.uuid(),
            company_name: format!("{partner_name} Immobilien GmbH"),
            partner_id: rng.uuid(),
            partner_name,
            subdomain: subdomain.to_owned(),
            created_at: iso(EPOCH - 800 * 86_400),
            updated_at: iso(EPOCH - 2 * 86_400),
        };
        let stamp = |row: &mut Row, created: i64| {
            row.insert("createdAt".into(), json!(iso(created)));
            row.insert("updatedAt".into(), json!(iso(created + 3600)));
        };
        let object = |value: Value| match value {
            Value::Object(map) => map,
            _ => Row::new(),
        };

        let mut owners = Vec::new();
        for (i, (first, last, company, phone)) in OWNERS.iter().enumerate() {
            let (street, number_, zip, city, _, _) = STREETS[(i + 1) % STREETS.len()];
            let mut row = object(json!({
                "id": rng.uuid(),
                "externalId": format!("OWN-{:03}", i + 1),
                "firstName": first,
                "lastName": last,
                "fullName": format!("{first} {last}"),
                "companyName": company,
                "email": email(first, last, "owners.example"),
                "phoneNo": phone,
                "address": {"streetName": street, "streetNumber": number_, "zipCode": zip, "city": city, "country": "DE"},
                "bankDepositInformation": null,
                "bankInformation": null,
                "customFieldValues": [],
                "_source": SEED_SOURCE,
            }));
            let created = at(&mut rng, 10);
            stamp(&mut row, created);
            owners.push(row);
        }

        let mut properties = Vec::new();
        for (i, (street, number_, zip, city, lat, lng)) in STREETS.iter().enumerate() {
            let individual = i % 2 == 0;
            let owner_id = individual.then(|| owners[i % owners.len()]["id"].clone());
            let mut row = object(json!({
                "id": rng.uuid(),
                "externalId": format!("PROP-{:03}", i + 1),
                "name": format!("{street} {number_}"),
                "type": "BUILDING",
                "subtype": "BUILDING",
                "category": "RESIDENTIAL",
                "ownershipType": if individual { "INDIVIDUAL" } else { "MULTIPLE" },
                "responsibilityType": "MULTIPLE",
                "noOfStories": rng.int(3, 6),
                "yearBuilt": rng.int(1900, 2015),
                "ownerId": owner_id,
                "responsibleUserId": account.user_id,
                "propertyGroupId": null,
                "fullAddress": format!("{street} {number_}, {zip} {city}"),
                "address": {
                    "streetName": street, "streetNumber": number_, "zipCode": zip, "city": city,
                    "country": "DE", "location": {"lat": lat, "lng": lng}, "placeId": null,
                },
                "descriptions": descriptions("Building"),
                "_source": SEED_SOURCE,
            }));
            let created = at(&mut rng, 20);
            stamp(&mut row, created);
            properties.push(row);
        }

        let mut units = Vec::new();
        for (p, property) in properties.iter().enumerate() {
            for n in 1..=6_i64 {
                let parking = n == 6;
                let leased = n % 2 == 1;
                let floor = (n - 1) / 2;
                let living = if parking {
                    None
                } else {
                    Some((rng.float(38.0, 115.0) * 2.0).round() / 2.0)
                };
                let surface = living.unwrap_or(12.5);
                let rooms = living.map_or(0.0, |l| (l / 25.0).floor().clamp(1.0, 4.0));
                let target = if parking {
                    80.0
                } else {
                    surface * rng.float(11.0, 16.0)
                };
                let owner_id = if property["ownerId"].is_null() {
                    owners[(p + n as usize) % owners.len()]["id"].clone()
                } else {
                    property["ownerId"].clone()
                };
                let amenities: Vec<&str> = AMENITIES
                    .iter()
                    .copied()
                    .filter(|_| !parking && rng.chance(0.5))
                    .collect();
                let mut row = object(json!({
                    "id": rng.uuid(),
                    "objectId": format!("{:02}{:02}", p + 1, n),
                    "externalId": format!("U-{}{:02}", p + 1, n),
                    "name": if parking { format!("Stellplatz {}.{n:02}", p + 1) } else { format!("Wohnung {}.{n:02}", p + 1) },
                    "category": "RESIDENTIAL",
                    "type": if parking { "PARKING" } else { "APARTMENT" },
                    "subtype": "NO_INFORMATION",
                    "propertyId": property["id"],
                    "ownerId": owner_id,
                    "floorNo": floor,
                    "floorNumber": floor,
                    "surface": number(surface, 1),
                    "livingSurface": living.map(|l| number(l, 1)),
                    "netFloorSurface": number(surface * 0.95, 1),
                    "hasMainStorage": !parking && rng.chance(0.5),
                    "rooms": {"rooms": number(rooms, 1), "bathrooms": if parking { 0 } else { 1 }, "bedrooms": number((rooms - 1.0).max(0.0), 1)},
                    "leasingStatusCurrentlyLeased": leased,
                    "leasingStatusesEnum": [if leased { "LEASED" } else { "VACANT" }],
                    "statusesEnum": [if leased { "LEASED" } else { "VACANT" }],
                    "descriptions": descriptions(if parking { "Parking space" } else { "Flat" }),
                    "amenities": {"amenitiesIncluded": amenities, "qualityOfAmenities": "NORMAL", "parking": null},
                    "surcharges": money(surface * 2.5),
                    "currentRent": if leased { money(target * 0.9) } else { Value::Null },
                    "targetRent": money(target),
                    "financingType": "PRIVATELY_FINANCED",
                    "availableFrom": if leased { Value::Null } else { json!(date(EPOCH + (60 + 30 * p as i64) * 86_400)) },
                    "unitResponsibleId": account.user_id,
                    "_source": SEED_SOURCE,
                }));
                let created = at(&mut rng, 20);
                stamp(&mut row, created);
                units.push(row);
            }
        }

        let mut listings = Vec::new();
        let vacant_flats: Vec<Row> = units
            .iter()
            .filter(|u| u["leasingStatusCurrentlyLeased"] == false && u["type"] == "APARTMENT")
            .take(6)
            .cloned()
            .collect();
        for (k, unit) in vacant_flats.iter().enumerate() {
            let id = rng.uuid();
            let property = properties
                .iter()
                .find(|p| p["id"] == unit["propertyId"])
                .cloned()
                .unwrap_or_default();
            let city = property["address"]["city"].as_str().unwrap_or_default();
            let rent = unit["targetRent"].as_f64().unwrap_or_default();
            let heating = (rent * 0.08).round();
            let utility = (rent * 0.15).round();
            let file = |name: &str, kind: &str, size: i64| {
                json!({
                    "name": name,
                    "resourcePath": format!("{subdomain}/{}/listings/{id}/{kind}/{name}", account.company_id),
                    "type": if name.ends_with(".pdf") { "application/pdf" } else { "image/jpeg" },
                    "size": size,
                })
            };
            let cover = file("cover.jpg", "pictures", rng.int(80_000, 400_000));
            let mut row = object(json!({
                "id": id,
                "title": format!("{}-Zimmer-Wohnung in {city}", unit["rooms"]["rooms"]),
                "type": "RENT_APARTMENT",
                "status": match k { 0..=3 => "PUBLISHED", 4 => "UNPUBLISHED", _ => "ARCHIVED" },
                "isActive": k < 4,
                "isArchived": k == 5,
                "companyId": account.company_id,
                "company": {"id": account.company_id, "name": account.company_name},
                "availableFrom": unit["availableFrom"],
                "propertyId": unit["propertyId"],
                "unitId": unit["id"],
                "contractDetails": {
                    "currency": "EUR", "rent": money(rent), "deposit": money(rent * 3.0),
                    "heatingCosts": money(heating), "utilityCosts": money(utility),
                    "totalMonthlyRent": money(rent + heating + utility),
                    "displayAmount": money(rent + heating + utility), "petsAllowed": "DEPENDS",
                },
                "coverPicture": cover,
                "pictures": [cover, file("living-room.jpg", "pictures", rng.int(80_000, 400_000))],
                "documents": [],
                "floorplans": [file("floorplan.pdf", "floorplans", rng.int(50_000, 200_000))],
                "amenities": unit["amenities"],
                "descriptions": descriptions("Listing"),
            }));
            let created = at(&mut rng, 40);
            stamp(&mut row, created);
            listings.push(row);
        }

        let mut candidates = Vec::new();
        for (k, listing) in listings.iter().enumerate() {
            for j in 0..2 {
                let (first, last) = PEOPLE[(2 * k + j) % PEOPLE.len()];
                let id = rng.uuid();
                let mail = email(first, last, "example.org");
                let application_data = json!({
                    "isFinancingReady": true,
                    "isAnyoneSmoking": false,
                    "hasPets": rng.chance(0.3),
                    "hasEligibilityCertificate": false,
                    "email": mail,
                });
                let applications = if j == 0 {
                    json!([{
                        "id": rng.uuid(),
                        "candidateId": id,
                        "email": mail,
                        "userId": null,
                        "isMainCandidate": true,
                        "applicationDataString": application_data.to_string(),
                        "applicationData": application_data,
                    }])
                } else {
                    json!([])
                };
                let scheduled = SCHEDULED[(2 * k + j) % SCHEDULED.len()];
                let created = at(&mut rng, 50);
                let mut row = object(json!({
                    "id": id,
                    "email": mail,
                    "firstName": first,
                    "lastName": last,
                    "fullName": format!("{first} {last}"),
                    "companyContactId": null,
                    "listingId": listing["id"],
                    "rating": number(rng.int(1, 5) as f64, 1),
                    "notes": null,
                    "candidateSource": "PORTAL",
                    "isNewCandidate": j == 1,
                    "isNewApplicant": false,
                    "isSharedApplicant": false,
                    "isToDo": false,
                    "isInvited": scheduled != "NOT_INVITED",
                    "isScheduled": scheduled == "SCHEDULED",
                    "isApplicant": j == 0,
                    "isDisabled": false,
                    "isPendingCandidate": false,
                    "isFromInvestment": false,
                    "hasSharedDataRoom": false,
                    "longExposeNoViews": rng.int(0, 12),
                    "longExposeLastView": iso(created + 86_400),
                    // Selling fields: every seeded listing is a rental.
                    "hadAcceptedSellingCancelationNotice": false,
                    "sellingCancellationStatus": null,
                    "viewingStartDate": if scheduled == "SCHEDULED" { json!(iso(created + 7 * 86_400)) } else { Value::Null },
                    "disabledReason": null,
                    "scheduledStatus": scheduled,
                    "applications": applications,
                }));
                stamp(&mut row, created);
                candidates.push(row);
            }
        }

        let mut tenants = Vec::new();
        for (person, unit) in units
            .iter()
            .filter(|u| u["leasingStatusCurrentlyLeased"] == true && u["type"] == "APARTMENT")
            .enumerate()
        {
            let (first, last) = PEOPLE[(person + 3) % PEOPLE.len()];
            let rent = unit["currentRent"].as_f64().unwrap_or_default();
            let service = (rent * 0.15).round();
            let heating = (rent * 0.08).round();
            let start = EPOCH - rng.int(200, 1500) * 86_400;
            let mut row = object(json!({
                "id": rng.uuid(),
                "externalId": format!("T-{}", &unit["externalId"].as_str().unwrap_or_default()[2..]),
                "firstName": first,
                "lastName": last,
                "fullName": format!("{first} {last}"),
                "email": email(first, last, "tenants.example"),
                "companyName": null,
                "phoneNumber": null,
                "cellPhoneNumber": null,
                "unitId": unit["id"],
                "coldRent": format!("{rent:.2}"),
                "serviceCharges": format!("{service:.2}"),
                "heatingCosts": format!("{heating:.2}"),
                "totalRent": format!("{:.2}", rent + service + heating),
                "securityDeposit": format!("{:.2}", rent * 3.0),
                "contractStartDate": date(start - start.rem_euclid(86_400)),
                "contractEndDate": null,
                "terminationDate": null,
                "additionalTenants": [],
                "customFieldValues": [],
                "_source": SEED_SOURCE,
            }));
            let created = at(&mut rng, 20);
            stamp(&mut row, created);
            tenants.push(row);
        }

        let mut contracts = Vec::new();
        for (k, (status, flow)) in CONTRACTS.iter().enumerate() {
            let Some(listing) = listings.get(k) else {
                break;
            };
            let Some(candidate) = candidates.iter().find(|c| c["listingId"] == listing["id"])
            else {
                break;
            };
            let details = &listing["contractDetails"];
            let start = date(EPOCH + (90 + 30 * k as i64) * 86_400);
            let contract_data = json!({"terms": {
                "rent": details["rent"], "deposit": details["deposit"],
                "heatingCosts": details["heatingCosts"], "utilityCosts": details["utilityCosts"],
                "totalMonthlyRent": details["totalMonthlyRent"],
                "contractStartDate": start, "contractEndDate": null,
            }});
            let mut tenant_ids = Vec::new();
            if *status == "SIGNED" {
                // The signed contract's candidate became a tenant inside EverReal, so this
                // tenant has no external id.
                let id = rng.uuid();
                let mut tenant = object(json!({
                    "id": id,
                    "externalId": null,
                    "firstName": candidate["firstName"],
                    "lastName": candidate["lastName"],
                    "fullName": candidate["fullName"],
                    "email": candidate["email"],
                    "companyName": null,
                    "phoneNumber": null,
                    "cellPhoneNumber": null,
                    "unitId": listing["unitId"],
                    "coldRent": format!("{:.2}", details["rent"].as_f64().unwrap_or_default()),
                    "serviceCharges": format!("{:.2}", details["utilityCosts"].as_f64().unwrap_or_default()),
                    "heatingCosts": format!("{:.2}", details["heatingCosts"].as_f64().unwrap_or_default()),
                    "totalRent": format!("{:.2}", details["totalMonthlyRent"].as_f64().unwrap_or_default()),
                    "securityDeposit": format!("{:.2}", details["deposit"].as_f64().unwrap_or_default()),
                    "contractStartDate": start,
                    "contractEndDate": null,
                    "terminationDate": null,
                    "additionalTenants": [],
                    "customFieldValues": [],
                }));
                let created = at(&mut rng, 60);
                stamp(&mut tenant, created);
                tenants.push(tenant);
                tenant_ids.push(json!(id));
            }
            let mut row = object(json!({
                "id": rng.uuid(),
                "startDate": start,
                "endDate": null,
                "contractFlowType": flow,
                "status": status,
                "tenantFullNames": candidate["fullName"],
                "versions": [],
                "contractData": contract_data,
                "contractDataString": contract_data.to_string(),
                "_candidateId": candidate["id"],
                "_unitIds": [listing["unitId"]],
                "_tenantIds": tenant_ids,
                "_propertyId": listing["propertyId"],
                "_listingId": listing["id"],
            }));
            let created = at(&mut rng, 60);
            stamp(&mut row, created);
            contracts.push(row);
        }

        Self {
            account,
            owners,
            properties,
            units,
            listings,
            candidates,
            contracts,
            tenants,
            ids: SeededRng::derive(seed, &[0x0E7E_2EA1, 2]),
        }
    }

    /// The records of `collection`, in creation order.
    pub(crate) fn rows(&self, collection: Collection) -> &[Row] {
        match collection {
            Collection::Owners => &self.owners,
            Collection::Properties => &self.properties,
            Collection::Units => &self.units,
            Collection::Listings => &self.listings,
            Collection::Candidates => &self.candidates,
            Collection::Contracts => &self.contracts,
            Collection::Tenants => &self.tenants,
        }
    }

    fn rows_mut(&mut self, collection: Collection) -> &mut Vec<Row> {
        match collection {
            Collection::Owners => &mut self.owners,
            Collection::Properties => &mut self.properties,
            Collection::Units => &mut self.units,
            Collection::Listings => &mut self.listings,
            Collection::Candidates => &mut self.candidates,
            Collection::Contracts => &mut self.contracts,
            Collection::Tenants => &mut self.tenants,
        }
    }

    /// The record of `collection` with EverReal id `id`.
    pub(crate) fn find(&self, collection: Collection, id: &str) -> Option<&Row> {
        self.rows(collection).iter().find(|r| r["id"] == id)
    }

    /// How many records of each kind there are.
    pub(crate) fn counts(&self) -> Value {
        json!({
            "owners": self.owners.len(),
            "properties": self.properties.len(),
            "units": self.units.len(),
            "listings": self.listings.len(),
            "candidates": self.candidates.len(),
            "contracts": self.contracts.len(),
            "tenants": self.tenants.len(),
        })
    }

    /// Whether a listing exists for unit `unit_id`.
    pub(crate) fn unit_has_listing(&self, unit_id: &Value) -> bool {
        self.listings.iter().any(|l| &l["unitId"] == unit_id)
    }

    /// The id of the record of `collection` with `externalId` `external`.
    fn id_by_external(&self, collection: Collection, external: &str) -> Option<Value> {
        self.rows(collection)
            .iter()
            .find(|r| r["externalId"] == external)
            .map(|r| r["id"].clone())
    }

    /// Resolves a reference given as an EverReal id (`id_member`) or an external id
    /// (`external_member`) of `input`: `Ok(None)` when neither is given.
    fn reference(
        &self,
        input: &Row,
        collection: Collection,
        id_member: &str,
        external_member: &str,
    ) -> Result<Option<Value>, String> {
        if let Some(id) = input.get(id_member).and_then(Value::as_str) {
            return self
                .find(collection, id)
                .map(|r| Some(r["id"].clone()))
                .ok_or_else(|| format!("no record with {id_member} {id:?}"));
        }
        if let Some(external) = input.get(external_member).and_then(Value::as_str) {
            return self
                .id_by_external(collection, external)
                .map(Some)
                .ok_or_else(|| format!("no record with {external_member} {external:?}"));
        }
        Ok(None)
    }

    /// Finds the record an upsert addresses: by EverReal `id` when given (to re-key it),
    /// otherwise by external id. Its index, if it exists.
    fn upsert_target(
        &self,
        collection: Collection,
        input: &Row,
        external: &str,
    ) -> Result<Option<usize>, String> {
        let rows = self.rows(collection);
        if let Some(id) = input.get("id").and_then(Value::as_str) {
            return rows
                .iter()
                .position(|r| r["id"] == id)
                .map(Some)
                .ok_or_else(|| format!("no record with id {id:?}"));
        }
        Ok(rows.iter().position(|r| r["externalId"] == external))
    }

    /// Writes `changes` into a new or existing record; returns it and whether it was created.
    fn store(
        &mut self,
        collection: Collection,
        target: Option<usize>,
        changes: Row,
        now: i64,
    ) -> (Row, bool) {
        let stamp = json!(iso(now));
        match target {
            Some(index) => {
                let row = &mut self.rows_mut(collection)[index];
                for (k, v) in changes {
                    row.insert(k, v);
                }
                row.insert("updatedAt".into(), stamp);
                (row.clone(), false)
            }
            None => {
                let mut row = Row::new();
                row.insert("id".into(), json!(self.ids.uuid()));
                row.extend(changes);
                row.insert("createdAt".into(), stamp.clone());
                row.insert("updatedAt".into(), stamp);
                self.rows_mut(collection).push(row.clone());
                (row, true)
            }
        }
    }

    /// `upsertOwner`, with an input already checked against `OwnerInput`.
    pub(crate) fn upsert_owner(&mut self, input: &Row, now: i64) -> Result<(Row, bool), String> {
        let external = text(input, "externalOwnerId");
        let target = self.upsert_target(Collection::Owners, input, &external)?;
        let mut changes = copy(
            input,
            &[
                "firstName",
                "lastName",
                "companyName",
                "email",
                "phoneNo",
                "address",
                "bankDepositInformation",
                "bankInformation",
                "customFieldValues",
            ],
        );
        changes.insert("externalId".into(), json!(external));
        changes.insert(
            "fullName".into(),
            json!(format!(
                "{} {}",
                text(input, "firstName"),
                text(input, "lastName")
            )),
        );
        changes.insert("_source".into(), input["meta"]["source"].clone());
        Ok(self.store(Collection::Owners, target, changes, now))
    }

    /// `upsertProperty`, with an input already checked against `PropertyInput`. An owner
    /// change on an individually owned property reaches its units too, as the vendor does.
    pub(crate) fn upsert_property(&mut self, input: &Row, now: i64) -> Result<(Row, bool), String> {
        let external = text(input, "externalPropertyId");
        let target = self.upsert_target(Collection::Properties, input, &external)?;
        let owner = self.reference(input, Collection::Owners, "ownerId", "externalOwnerId")?;
        let mut changes = copy(
            input,
            &[
                "name",
                "type",
                "subtype",
                "category",
                "noOfStories",
                "yearBuilt",
                "ownershipType",
                "responsibilityType",
                "responsibleUserId",
                "propertyGroupId",
                "descriptions",
            ],
        );
        let mut address = input["address"].as_object().cloned().unwrap_or_default();
        address.entry("location").or_insert(Value::Null);
        address.entry("placeId").or_insert(Value::Null);
        changes.insert(
            "fullAddress".into(),
            json!(format!(
                "{} {}, {} {}",
                text(&address, "streetName"),
                text(&address, "streetNumber"),
                text(&address, "zipCode"),
                text(&address, "city")
            )),
        );
        changes.insert("address".into(), Value::Object(address));
        changes.insert("externalId".into(), json!(external));
        if let Some(owner) = &owner {
            changes.insert("ownerId".into(), owner.clone());
        } else if target.is_none() {
            changes.insert("ownerId".into(), Value::Null);
        }
        changes.insert("_source".into(), input["meta"]["source"].clone());
        let (row, created) = self.store(Collection::Properties, target, changes, now);
        if let Some(owner) = owner
            && row["ownershipType"] == "INDIVIDUAL"
        {
            for unit in self
                .units
                .iter_mut()
                .filter(|u| u["propertyId"] == row["id"])
            {
                unit.insert("ownerId".into(), owner.clone());
            }
        }
        Ok((row, created))
    }

    /// `upsertUnit`, with an input already checked against `UnitInput`.
    pub(crate) fn upsert_unit(&mut self, input: &Row, now: i64) -> Result<(Row, bool), String> {
        let external = text(input, "externalUnitId");
        let target = self.upsert_target(Collection::Units, input, &external)?;
        let property = self
            .reference(
                input,
                Collection::Properties,
                "propertyId",
                "externalPropertyId",
            )?
            .unwrap_or(Value::Null);
        let owner = match self.reference(input, Collection::Owners, "ownerId", "externalOwnerId")? {
            Some(owner) => owner,
            None => property
                .as_str()
                .and_then(|id| self.find(Collection::Properties, id))
                .and_then(|p| p.get("ownerId").cloned())
                .unwrap_or(Value::Null),
        };
        let mut changes = copy(
            input,
            &[
                "name",
                "category",
                "type",
                "subtype",
                "netFloorSurface",
                "livingSurface",
                "rooms",
                "amenities",
                "descriptions",
                "financingType",
                "targetRent",
                "surcharges",
                "currentRent",
                "availableFrom",
                "unitResponsibleId",
            ],
        );
        changes.insert("externalId".into(), json!(external));
        changes.insert("propertyId".into(), property);
        changes.insert("ownerId".into(), owner);
        changes.insert("hasMainStorage".into(), input["mainStorage"].clone());
        changes.insert("floorNo".into(), input["floorNo"].clone());
        changes.insert("floorNumber".into(), input["floorNo"].clone());
        if let Some(living) = input.get("livingSurface") {
            changes.insert("surface".into(), living.clone());
        }
        if target.is_none() {
            changes.insert(
                "objectId".into(),
                json!(format!("API-{:04}", self.units.len() + 1)),
            );
            changes.insert("leasingStatusCurrentlyLeased".into(), json!(false));
            changes.insert("leasingStatusesEnum".into(), json!(["VACANT"]));
            changes.insert("statusesEnum".into(), json!(["VACANT"]));
        }
        changes.insert("_source".into(), input["meta"]["source"].clone());
        Ok(self.store(Collection::Units, target, changes, now))
    }

    /// `upsertTenant`, with an input already checked against `TenantInput` (dates already in
    /// `YYYY-MM-DD`). The unit's leasing status follows the contract dates, as the vendor's
    /// import does.
    pub(crate) fn upsert_tenant(&mut self, input: &Row, now: i64) -> Result<(Row, bool), String> {
        let external = text(input, "externalTenantId");
        let target = self.upsert_target(Collection::Tenants, input, &external)?;
        let unit = self
            .reference(input, Collection::Units, "unitId", "externalUnitId")?
            .unwrap_or(Value::Null);
        let mut changes = copy(
            input,
            &[
                "firstName",
                "lastName",
                "email",
                "companyName",
                "phoneNumber",
                "cellPhoneNumber",
                "additionalTenants",
                "coldRent",
                "serviceCharges",
                "heatingCosts",
                "totalRent",
                "securityDeposit",
                "contractStartDate",
                "contractEndDate",
                "terminationDate",
                "customFieldValues",
            ],
        );
        changes.insert("externalId".into(), json!(external));
        changes.insert("unitId".into(), unit.clone());
        changes.insert(
            "fullName".into(),
            json!(format!(
                "{} {}",
                text(input, "firstName"),
                text(input, "lastName")
            )),
        );
        changes.insert("_source".into(), input["meta"]["source"].clone());
        let (row, created) = self.store(Collection::Tenants, target, changes, now);
        let today = date(now);
        let started = row
            .get("contractStartDate")
            .and_then(Value::as_str)
            .is_some_and(|d| d <= today.as_str());
        let ended = row
            .get("contractEndDate")
            .and_then(Value::as_str)
            .is_some_and(|d| d < today.as_str());
        if let Some(unit) = self.units.iter_mut().find(|u| u["id"] == unit) {
            let leased = started && !ended;
            let status = if leased { "LEASED" } else { "VACANT" };
            unit.insert("leasingStatusCurrentlyLeased".into(), json!(leased));
            unit.insert("leasingStatusesEnum".into(), json!([status]));
            unit.insert("statusesEnum".into(), json!([status]));
        }
        Ok((row, created))
    }

    /// `delete<Kind>(externalId)`: detaches the record from the integration (it stays, without
    /// its external id), as the vendor documents. The detached record, if there was one.
    pub(crate) fn detach(
        &mut self,
        collection: Collection,
        external: &str,
        now: i64,
    ) -> Option<Row> {
        let row = self
            .rows_mut(collection)
            .iter_mut()
            .find(|r| r["externalId"] == external)?;
        row.insert("externalId".into(), Value::Null);
        row.remove("_source");
        row.insert("updatedAt".into(), json!(iso(now)));
        Some(row.clone())
    }
}

/// A string member of `row` (empty when absent).
fn text(row: &Row, name: &str) -> String {
    row.get(name)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

/// The members `names` that `input` has.
fn copy(input: &Row, names: &[&str]) -> Row {
    names
        .iter()
        .filter_map(|name| input.get(*name).map(|v| ((*name).to_owned(), v.clone())))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tenant_is_a_function_of_the_seed() {
        let a = Data::generate(7, "acme", "u@acme.example");
        let b = Data::generate(7, "acme", "u@acme.example");
        let c = Data::generate(8, "acme", "u@acme.example");
        assert_eq!(a.units, b.units);
        assert_ne!(a.units[0]["id"], c.units[0]["id"]);
        assert_eq!(
            a.counts(),
            json!({"owners": 3, "properties": 4, "units": 24, "listings": 6,
                   "candidates": 12, "contracts": 4, "tenants": 13})
        );
        for unit in &a.units {
            assert!(
                a.find(
                    Collection::Properties,
                    unit["propertyId"].as_str().unwrap_or_default()
                )
                .is_some()
            );
        }
        assert_eq!(a.account.partner_name, "Acme");
    }

    #[test]
    fn detached_records_stay_without_their_external_id() {
        let mut data = Data::generate(7, "acme", "u@acme.example");
        let row = data.detach(Collection::Units, "U-101", EPOCH);
        assert_eq!(row.map(|r| r["externalId"].clone()), Some(Value::Null));
        assert_eq!(data.units.len(), 24);
        assert!(data.detach(Collection::Units, "U-101", EPOCH).is_none());
    }
}
