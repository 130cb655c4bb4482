package seed

import "github.com/wbk/crm/models"

// The demo workspace's data is spelled out literally rather than generated: the built-in
// assistant demo asks about specific people, companies, lists and deals by name, so they must
// exist exactly as written here.

// company is an account of the demo workspace. phone is a printf format taking a number that
// is unique per contact; it uses the ranges reserved for fiction (555-01xx in North America,
// 020 7946 0xxx in London) so no real person is ever dialled from a demo.
type company struct {
	name, domain, phone string
}

var companies = map[string]company{
	"acme":      {"Acme", "acme.com", "+1 213-555-%04d"},
	"globex":    {"Globex", "globex.com", "+1 503-555-%04d"},
	"initech":   {"Initech", "initech.com", "+1 512-555-%04d"},
	"umbrella":  {"Umbrella", "umbrella.com", "+1 617-555-%04d"},
	"stark":     {"Stark Industries", "starkindustries.com", "+1 212-555-%04d"},
	"wayne":     {"Wayne Enterprises", "wayneenterprises.com", "+1 201-555-%04d"},
	"hooli":     {"Hooli", "hooli.com", "+1 650-555-%04d"},
	"soylent":   {"Soylent", "soylent.com", "+1 415-555-%04d"},
	"cyberdyne": {"Cyberdyne Systems", "cyberdyne.com", "+1 408-555-%04d"},
	"wonka":     {"Wonka Industries", "wonka.co.uk", "+44 20 7946 %04d"},
	"massive":   {"Massive Dynamic", "massivedynamic.com", "+1 646-555-%04d"},
	"vandelay":  {"Vandelay Industries", "vandelay.com", "+1 718-555-%04d"},
	"piedpiper": {"Pied Piper", "piedpiper.com", "+1 650-555-%04d"},
}

type person struct {
	first, last, company, title string
	tags                        []string
}

// people are the demo contacts; a contact's email is first.last@ its company's domain.
var people = []person{
	{"Sarah", "Chen", "acme", "VP of Engineering", []string{"vip", "enterprise"}},
	{"Marcus", "Johnson", "acme", "Chief Technology Officer", []string{"vip", "enterprise"}},
	{"Priya", "Patel", "acme", "Head of Procurement", []string{"vip"}},
	{"David", "Kim", "acme", "Director of IT", []string{"enterprise", "newsletter"}},
	{"Emily", "Rodriguez", "acme", "Senior Product Manager", []string{"newsletter"}},
	{"James", "O'Connor", "acme", "Sales Operations Manager", []string{"newsletter"}},
	{"Laura", "Schmidt", "acme", "Chief Financial Officer", []string{"vip", "enterprise"}},
	{"Tom", "Becker", "acme", "Solutions Architect", []string{"trial"}},

	{"Olivia", "Martin", "globex", "VP of Operations", []string{"vip", "enterprise"}},
	{"Daniel", "Okafor", "globex", "Procurement Director", []string{"enterprise"}},
	{"Hannah", "Weber", "globex", "IT Manager", []string{"newsletter"}},
	{"Carlos", "Mendes", "globex", "Head of Customer Success", []string{"newsletter"}},
	{"Mia", "Thompson", "globex", "Operations Analyst", []string{"trial"}},
	{"Thomas", "Reed", "globex", "Chief Financial Officer", []string{"vip"}},

	{"Nina", "Alvarez", "initech", "Director of Engineering", []string{"enterprise"}},
	{"Kevin", "Walsh", "initech", "Software Engineering Manager", []string{"newsletter"}},
	{"Grace", "Liu", "initech", "Finance Manager", nil},
	{"Samir", "Haddad", "initech", "IT Director", []string{"vip"}},
	{"Jessica", "Park", "initech", "Business Analyst", []string{"trial", "newsletter"}},

	{"Alexandra", "Novak", "umbrella", "Chief Scientific Officer", []string{"vip", "enterprise"}},
	{"Robert", "Fischer", "umbrella", "Head of Lab Operations", []string{"enterprise"}},
	{"Yuki", "Tanaka", "umbrella", "Research Director", []string{"newsletter"}},
	{"Ethan", "Brooks", "umbrella", "Procurement Specialist", nil},
	{"Fatima", "Rahman", "umbrella", "Data Science Lead", []string{"trial"}},

	{"Victoria", "Hayes", "stark", "Chief Operating Officer", []string{"vip", "enterprise"}},
	{"Benjamin", "Clarke", "stark", "VP of Research & Development", []string{"enterprise"}},
	{"Sofia", "Rossi", "stark", "Head of Supply Chain", []string{"newsletter"}},
	{"Aaron", "Goldberg", "stark", "Security Engineering Manager", nil},
	{"Chloe", "Dubois", "stark", "Partnerships Manager", []string{"newsletter"}},

	{"Lucas", "Grant", "wayne", "Chief Information Security Officer", []string{"vip", "enterprise"}},
	{"Amelia", "Foster", "wayne", "Director of Facilities", []string{"enterprise"}},
	{"Noah", "Williams", "wayne", "Head of Corporate Development", []string{"vip"}},
	{"Isabella", "Moreno", "wayne", "Compliance Manager", []string{"newsletter"}},
	{"Owen", "Mitchell", "wayne", "IT Procurement Lead", []string{"trial"}},

	{"Ryan", "Cooper", "hooli", "VP of Platform", []string{"enterprise"}},
	{"Ava", "Nguyen", "hooli", "Engineering Manager", []string{"trial", "newsletter"}},
	{"Ivan", "Petrov", "hooli", "Staff Engineer", []string{"trial"}},
	{"Zoe", "Bennett", "hooli", "Head of Developer Relations", []string{"newsletter"}},
	{"Liam", "Murphy", "hooli", "Director of Procurement", nil},

	{"Natalie", "Ward", "soylent", "Head of Operations", []string{"newsletter"}},
	{"Omar", "Siddiqui", "soylent", "Supply Chain Manager", []string{"trial"}},
	{"Ella", "Jansen", "soylent", "Marketing Director", []string{"newsletter"}},
	{"Jacob", "Turner", "soylent", "Chief Executive Officer", []string{"vip"}},

	{"Rebecca", "Lawson", "cyberdyne", "Chief Technology Officer", []string{"enterprise"}},
	{"Arjun", "Mehta", "cyberdyne", "Robotics Program Manager", []string{"trial"}},
	{"Claire", "Fontaine", "cyberdyne", "Head of Quality", []string{"newsletter"}},
	{"Henry", "Adams", "cyberdyne", "Procurement Manager", nil},

	{"Charlotte", "Evans", "wonka", "Managing Director", []string{"vip", "enterprise"}},
	{"Oliver", "Hughes", "wonka", "Head of Production", []string{"newsletter"}},
	{"Amara", "Okoye", "wonka", "Marketing Manager", []string{"newsletter"}},
	{"George", "Wright", "wonka", "Finance Director", nil},

	{"Nora", "Bishop", "massive", "Head of Research", []string{"enterprise"}},
	{"Walter", "Reyes", "massive", "Director of Technology Partnerships", []string{"trial"}},
	{"Leah", "Cohen", "massive", "Program Manager", []string{"newsletter"}},

	{"Arthur", "Vance", "vandelay", "Director of Import & Export", []string{"newsletter"}},
	{"Megan", "Price", "vandelay", "Logistics Manager", []string{"trial"}},
	{"Victor", "Santos", "vandelay", "Chief Operating Officer", nil},

	{"Elena", "Vasquez", "piedpiper", "Chief Executive Officer", []string{"trial"}},
	{"Tariq", "Hassan", "piedpiper", "Head of Engineering", []string{"trial", "newsletter"}},
	{"Julia", "Berg", "piedpiper", "Head of Sales", []string{"newsletter"}},
}

// deal refers to its contact by email so the table stays readable; closeIn is days from the
// seeding date, negative for deals already closed.
type deal struct {
	title    string
	contact  string
	stage    models.DealStage
	amount   int // minor units
	currency string
	closeIn  int
}

var deals = []deal{
	{"Globex renewal", "olivia.martin@globex.com", models.DealStageProposal, 4800000, "USD", 30},
	{"Acme platform expansion", "marcus.johnson@acme.com", models.DealStageNegotiation, 12500000, "USD", 14},
	{"Acme support plan upgrade", "laura.schmidt@acme.com", models.DealStageWon, 1850000, "USD", -20},
	{"Acme data warehouse pilot", "david.kim@acme.com", models.DealStageQualified, 2400000, "USD", 60},
	{"Initech TPS report automation", "nina.alvarez@initech.com", models.DealStageQualified, 3600000, "USD", 45},
	{"Initech helpdesk seats", "samir.haddad@initech.com", models.DealStageLost, 950000, "USD", -35},
	{"Initech annual renewal", "grace.liu@initech.com", models.DealStageWon, 2000000, "USD", -90},
	{"Umbrella lab analytics suite", "alexandra.novak@umbrella.com", models.DealStageNegotiation, 9800000, "USD", 10},
	{"Umbrella Europe expansion", "robert.fischer@umbrella.com", models.DealStageProposal, 5500000, "EUR", 40},
	{"Stark Industries R&D licenses", "benjamin.clarke@starkindustries.com", models.DealStageNegotiation, 21000000, "USD", 7},
	{"Stark Industries supply chain integration", "sofia.rossi@starkindustries.com", models.DealStageLead, 1500000, "USD", 90},
	{"Stark Industries Berlin office", "chloe.dubois@starkindustries.com", models.DealStageQualified, 2750000, "EUR", 50},
	{"Wayne Enterprises security audit", "lucas.grant@wayneenterprises.com", models.DealStageProposal, 7200000, "USD", 25},
	{"Wayne Enterprises facilities rollout", "amelia.foster@wayneenterprises.com", models.DealStageWon, 3150000, "USD", -10},
	{"Hooli developer platform", "ryan.cooper@hooli.com", models.DealStageLead, 6000000, "USD", 75},
	{"Hooli team trial conversion", "ava.nguyen@hooli.com", models.DealStageQualified, 480000, "USD", 20},
	{"Soylent operations dashboard", "natalie.ward@soylent.com", models.DealStageLead, 750000, "USD", 100},
	{"Soylent enterprise upgrade", "jacob.turner@soylent.com", models.DealStageLost, 2200000, "USD", -50},
	{"Cyberdyne robotics telemetry", "rebecca.lawson@cyberdyne.com", models.DealStageNegotiation, 8400000, "USD", 5},
	{"Cyberdyne pilot extension", "arjun.mehta@cyberdyne.com", models.DealStageWon, 600000, "USD", -5},
	{"Wonka UK rollout", "charlotte.evans@wonka.co.uk", models.DealStageProposal, 3900000, "GBP", 35},
	{"Wonka marketing automation", "amara.okoye@wonka.co.uk", models.DealStageLead, 1200000, "GBP", 80},
	{"Massive Dynamic research cloud", "nora.bishop@massivedynamic.com", models.DealStageQualified, 11000000, "USD", 65},
	{"Vandelay logistics tracking", "megan.price@vandelay.com", models.DealStageLead, 900000, "USD", 110},
	{"Pied Piper startup plan", "elena.vasquez@piedpiper.com", models.DealStageWon, 360000, "USD", -60},
	{"Globex analytics add-on", "daniel.okafor@globex.com", models.DealStageLost, 1400000, "USD", -25},
	// Inbound leads often arrive before anyone knows who the buyer is.
	{"Inbound: website demo request", "", models.DealStageLead, 250000, "USD", 30},
}

// list says which demo contacts belong to a list; membership is derived from the contact
// tables so that adding a person above keeps every list consistent.
type list struct {
	name, description string
	member            func(p person, email string) bool
}

func hasTag(tag string) func(person, string) bool {
	return func(p person, _ string) bool {
		for _, t := range p.tags {
			if t == tag {
				return true
			}
		}
		return false
	}
}

var lists = []list{
	{"VIP", "Key decision makers who get white-glove treatment.", hasTag("vip")},
	{"Newsletter", "Contacts who opted in to the monthly product newsletter.", hasTag("newsletter")},
	{"Acme accounts", "Everyone we work with at Acme.", func(p person, _ string) bool { return p.company == "acme" }},
	{"Q4 prospects", "Buyers on early-stage deals to push before year end.", onEarlyDeal},
	{"Enterprise customers", "Contacts at accounts on an enterprise contract.", hasTag("enterprise")},
	{"Trial users", "People currently evaluating the product on a trial.", hasTag("trial")},
}

func onEarlyDeal(_ person, email string) bool {
	for _, d := range deals {
		if d.contact == email && (d.stage == models.DealStageLead || d.stage == models.DealStageQualified) {
			return true
		}
	}
	return false
}

type campaign struct {
	name, list, subject, body string
	scheduled                 bool
}

var campaigns = []campaign{
	{name: "Welcome series", list: "Newsletter",
		subject: "Welcome aboard: three things to try this week",
		body: "Hi there,\n\nThanks for subscribing! Over the next few weeks we will share tips on " +
			"organizing your contacts, building lists and tracking deals.\n\nTo get started, import " +
			"your contacts and create your first list.\n\nThe team"},
	{name: "Spring webinar", list: "Q4 prospects", scheduled: true,
		subject: "Join our live webinar: forecasting your pipeline with confidence",
		body: "Hello,\n\nIn this 45-minute session our solutions team walks through building a " +
			"reliable sales forecast, with a live Q&A at the end.\n\nSave your seat today.\n\nBest regards"},
	{name: "VIP customer dinner", list: "VIP",
		subject: "You're invited: an evening with our product leadership",
		body: "Dear guest,\n\nWe would be delighted to host you for an informal dinner with our " +
			"founders and product leads. Space is limited; please reply to reserve your place.\n\nWarm regards"},
	{name: "Trial conversion nudge", list: "Trial users",
		subject: "Your trial ends soon: keep your data and your momentum",
		body: "Hi,\n\nYour trial is coming to an end. Upgrade now to keep every contact, list and " +
			"deal you have set up, and get 20% off your first year.\n\nQuestions? Just reply to this email."},
}

// The prospect catalog combines these lists; see Prospects for how.

var prospectFirstNames = []string{
	"Adam", "Beatriz", "Caleb", "Diana", "Elias", "Freya", "Gabriel", "Helena", "Isaac", "Jasmine",
	"Kai", "Lena", "Mateo", "Naomi", "Oscar", "Paula", "Quentin", "Rosa", "Stefan", "Tara",
	"Umar", "Vera", "William", "Ximena", "Yusuf", "Zara", "Anton", "Brigitte", "Connor", "Daria",
}

var prospectLastNames = []string{
	"Andersen", "Bauer", "Castillo", "Dimitrov", "Eriksson", "Ferreira", "Gallagher", "Hoffmann",
	"Ibrahim", "Jovanovic", "Kowalski", "Lindqvist", "Moreau", "Nakamura", "Oliveira", "Pereira",
	"Quinn", "Richter", "Sato", "Takahashi", "Usman", "Van Dijk", "Wagner", "Xu", "Yilmaz",
	"Zimmermann", "Alvarado", "Brennan", "Chowdhury", "Delgado",
}

var prospectTitles = []string{
	"Chief Executive Officer", "Chief Technology Officer", "Chief Financial Officer",
	"VP of Sales", "VP of Marketing", "VP of Engineering", "Head of Growth", "Head of Partnerships",
	"Director of Operations", "IT Director", "Sales Director", "Procurement Manager",
	"Engineering Manager", "Product Manager", "Customer Success Lead", "Revenue Operations Manager",
	"Marketing Operations Manager", "Data Science Lead", "Security Architect", "HR Director",
}

type prospectCompany struct {
	name, domain, industry string
}

var prospectCompanies = []prospectCompany{
	{"Northwind Traders", "northwindtraders.com", "Retail"},
	{"Contoso", "contoso.com", "Software"},
	{"Fabrikam", "fabrikam.com", "Manufacturing"},
	{"Tailspin Toys", "tailspintoys.com", "Consumer Goods"},
	{"Adventure Works", "adventure-works.com", "Retail"},
	{"Litware", "litware.com", "Software"},
	{"Proseware", "proseware.com", "Software"},
	{"Wide World Importers", "wideworldimporters.com", "Logistics"},
	{"Blue Yonder Airlines", "blueyonderairlines.com", "Travel"},
	{"Coho Winery", "cohowinery.com", "Food & Beverage"},
	{"Alpine Ski House", "alpineskihouse.com", "Hospitality"},
	{"Lucerne Publishing", "lucernepublishing.com", "Media"},
	{"Humongous Insurance", "humongousinsurance.com", "Insurance"},
	{"Trey Research", "treyresearch.net", "Biotech"},
	{"Woodgrove Bank", "woodgrovebank.com", "Financial Services"},
	{"Fourth Coffee", "fourthcoffee.com", "Food & Beverage"},
	{"Relecloud", "relecloud.com", "Cloud Services"},
	{"Lamna Healthcare", "lamnahealthcare.com", "Healthcare"},
	{"Margie's Travel", "margiestravel.com", "Travel"},
	{"Tidepool Energy", "tidepoolenergy.com", "Energy"},
	{"Quillstone Payments", "quillstone.io", "Fintech"},
	{"Brightlane Logistics", "brightlane.com", "Logistics"},
	{"Evergreen Learning", "evergreenlearning.org", "Education"},
	{"Solace Health", "solacehealth.com", "Healthcare"},
	{"Kestrel Security", "kestrelsecurity.com", "Cybersecurity"},
}

var prospectCities = []string{
	"New York, NY", "San Francisco, CA", "Austin, TX", "Chicago, IL", "Seattle, WA",
	"Boston, MA", "Denver, CO", "Toronto, Canada", "London, UK", "Berlin, Germany",
	"Amsterdam, Netherlands", "Paris, France", "Dublin, Ireland", "Stockholm, Sweden",
	"Madrid, Spain", "Zurich, Switzerland", "Sydney, Australia", "Singapore",
}
