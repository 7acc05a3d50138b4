"""Import templates: per target CRM and entity, the file name and the column headers its import tool expects.

HubSpot (Import > single-object files, associated through a unique-value property): default property labels
("First Name", "Email", "Company name", "Contact owner" holding the owner's email address); each object carries a
custom single-line text property "External ID" with "Require unique values" on, and related records are named
by theirs ("Company External ID" maps to Company: External ID).

Salesforce (Bulk API 2.0 / Data Loader CSV): field API names ("FirstName", "AccountId" as the relationship
"Account.Handover_External_Id__c", polymorphic task relations as "Contact:Who.Handover_External_Id__c"); each
object carries a custom External ID field Handover_External_Id__c; owners are named by "Owner.Email".

Fields a template does not know become custom properties: "Tax Id" (HubSpot), "Tax_Id__c" (Salesforce).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Layout:
    """How one entity is written for one CRM."""

    file: str  # file name without extension
    id_header: str  # the record's own external id
    fields: dict[str, str] = field(default_factory=dict)  # field -> header
    owner_header: str = "owner_external_id"
    owner_by: str = "external_id"  # what names an owner: its external id, or its email
    links: dict[str, str] = field(default_factory=dict)  # link -> header holding the linked record's external id
    constants: dict[str, str] = field(default_factory=dict)  # header -> value every row carries (never read back)
    required: tuple[str, ...] = ()  # fields the CRM's import refuses to create a record without
    # A relation the CRM derives from another one: link -> (via link, link of the record it points at).
    derived_links: dict[str, tuple[str, str]] = field(default_factory=dict)


def custom_header(template: str, name: str) -> str:
    if template == "hubspot":
        return name.replace("_", " ").title()
    if template == "salesforce":
        return "_".join(part.capitalize() for part in name.split("_")) + "__c"
    return name


GENERIC_FILES = {"owner": "users", "account": "accounts", "contact": "contacts", "deal": "deals", "activity": "activities"}

HUBSPOT = {
    "owner": Layout(
        "users", "External ID",
        {"name": "Name", "email": "Email", "phone": "Phone Number", "department": "Team", "title": "Job Title", "active": "Active"},
    ),
    "account": Layout(
        "companies", "External ID",
        {"name": "Company name", "domain": "Company Domain Name", "website": "Website URL", "phone": "Phone Number",
         "industry": "Industry", "street": "Street Address", "city": "City", "postcode": "Postal Code", "state": "State/Region",
         "country": "Country/Region", "annual_revenue": "Annual Revenue", "employees": "Number of Employees",
         "description": "Description", "created_at": "Create Date"},
        owner_header="Company owner", owner_by="email",
    ),
    "contact": Layout(
        "contacts", "External ID",
        {"first_name": "First Name", "last_name": "Last Name", "email": "Email", "phone": "Phone Number",
         "mobile": "Mobile Phone Number", "company": "Company Name", "title": "Job Title", "street": "Street Address",
         "city": "City", "postcode": "Postal Code", "state": "State/Region", "country": "Country/Region",
         "date_of_birth": "Date of birth", "created_at": "Create Date"},
        owner_header="Contact owner", owner_by="email", links={"account": "Company External ID"},
    ),
    "deal": Layout(
        "deals", "External ID",
        {"name": "Deal Name", "amount": "Amount", "currency": "Currency", "stage": "Deal Stage", "probability": "Deal probability",
         "close_date": "Close Date", "description": "Deal Description", "created_at": "Create Date"},
        owner_header="Deal owner", owner_by="email", links={"account": "Company External ID", "contact": "Contact External ID"},
        constants={"Pipeline": "Sales Pipeline"}, required=("name", "stage"),
    ),
    "activity": Layout(
        "activities", "External ID",
        {"type": "Activity type", "subject": "Title", "details": "Body", "occurred_at": "Activity date", "due_date": "Due date",
         "status": "Status", "created_at": "Create Date"},
        owner_header="Activity assigned to", owner_by="email",
        links={"contact": "Contact External ID", "account": "Company External ID", "deal": "Deal External ID"},
    ),
}

SF_ID = "Handover_External_Id__c"

SALESFORCE = {
    "owner": Layout(
        "User", SF_ID,
        {"name": "Name", "email": "Email", "phone": "Phone", "department": "Department", "title": "Title", "active": "IsActive"},
    ),
    "account": Layout(
        "Account", SF_ID,
        {"name": "Name", "website": "Website", "phone": "Phone", "industry": "Industry", "street": "BillingStreet",
         "city": "BillingCity", "postcode": "BillingPostalCode", "state": "BillingState", "country": "BillingCountry",
         "annual_revenue": "AnnualRevenue", "employees": "NumberOfEmployees", "description": "Description", "created_at": "CreatedDate"},
        owner_header="Owner.Email", owner_by="email", required=("name",),
    ),
    "contact": Layout(
        "Contact", SF_ID,
        {"first_name": "FirstName", "last_name": "LastName", "email": "Email", "phone": "Phone", "mobile": "MobilePhone",
         "title": "Title", "department": "Department", "street": "MailingStreet", "city": "MailingCity",
         "postcode": "MailingPostalCode", "state": "MailingState", "country": "MailingCountry", "date_of_birth": "Birthdate",
         "description": "Description", "created_at": "CreatedDate"},
        owner_header="Owner.Email", owner_by="email", links={"account": f"Account.{SF_ID}"}, required=("last_name",),
    ),
    "deal": Layout(
        "Opportunity", SF_ID,
        {"name": "Name", "amount": "Amount", "currency": "CurrencyIsoCode", "stage": "StageName", "probability": "Probability",
         "close_date": "CloseDate", "description": "Description", "created_at": "CreatedDate"},
        owner_header="Owner.Email", owner_by="email", links={"account": f"Account.{SF_ID}", "contact": f"Contact.{SF_ID}"},
        required=("name", "stage", "close_date"),
    ),
    # A task names one person (WhoId) and one other record (WhatId); Salesforce derives its account from an opportunity.
    "activity": Layout(
        "Task", SF_ID,
        {"type": "Type", "subject": "Subject", "details": "Description", "occurred_at": "Occurred_At__c", "due_date": "ActivityDate",
         "status": "Status", "created_at": "CreatedDate"},
        owner_header="Owner.Email", owner_by="email",
        links={"contact": f"Contact:Who.{SF_ID}", "deal": f"Opportunity:What.{SF_ID}", "account": f"Account:What.{SF_ID}"},
        derived_links={"account": ("deal", "account")},
    ),
}

TEMPLATES = {"hubspot": HUBSPOT, "salesforce": SALESFORCE}
CROSSWALK = "crosswalk"
