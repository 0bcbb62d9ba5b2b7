"""The shipped SEND dictionary codes the language families of the SEND Code of Practice it is
built on, and not the incidental uses of their words. Each sentence is invented, in the style of
the comments councils, forums and Healthwatch publish; each case is one theme in or out."""

from __future__ import annotations

import pytest

from sendconsult.nlp.engine import ThemeClassifier
from sendconsult.resources import default_dictionary
from sendconsult.themes.loader import load_dictionary


@pytest.fixture(scope="module")
def classifier(nlp) -> ThemeClassifier:  # noqa: ANN001
    return ThemeClassifier(load_dictionary(default_dictionary()), nlp)


def coded(classifier: ThemeClassifier, nlp, text: str) -> set[str]:  # noqa: ANN001
    return {m.theme_id for m in classifier.match_doc(nlp(text), "q") if m.counts}


CODED = [
    # preparing for adulthood: employment, planning a young person's future, transition
    ("post_16", "Hardly any of the young people we spoke to had help to find employment."),
    ("post_16", "Planning for his future only started when he was seventeen."),
    ("post_16", "I worry about what my future will look like when mum cannot help me."),
    ("post_16", "Parents said the transition process was confusing from start to finish."),
    ("post_16", "She will need adult mental health support and nobody has planned for it."),
    ("post_16", "There is very little 16+ provision for young people like my son."),
    # information: not knowing where help is
    ("information_advice", "Parents told us they did not know where to seek help in a crisis."),
    ("information_advice", "Families found it hard to locate the support services they needed."),
    ("information_advice", "Most families had never heard of the graduated approach."),
    # transport: travelling independently, and a late vehicle
    ("transport", "Many of these pupils would never be able to travel independently."),
    ("transport", "The taxi is late almost every morning."),
    # inclusion in mainstream schools: a school's own understanding of a child
    ("mainstream_inclusion", "His school took two years to identify that he was dyslexic."),
    ("mainstream_inclusion", "Some schools find it hard to spot the signs of autism in girls."),
    ("mainstream_inclusion", "Parents want more inclusion in schools, not less."),
    ("mainstream_inclusion", "Too many schools are not meeting the needs of autistic pupils."),
    ("mainstream_inclusion", "Schools must be held accountable when support is not delivered."),
    ("mainstream_inclusion", "Support is inconsistent from one school to the next."),
    # placements: no suitable school, and parents' choice of school
    ("placements", "There is no suitable school for him anywhere in the county."),
    ("placements", "We were given no real choice of school for our daughter."),
    # support at home: the hours an agency cannot staff
    ("domiciliary_support", "We only get half of our contracted hours because of staffing."),
    ("domiciliary_support", "The agency has not been able to cover the hours agreed last year."),
    # support at home in social care's words
    ("domiciliary_support", "Nobody helps with his personal care in the mornings."),
    ("domiciliary_support", "We have had no social care support since she left hospital."),
    ("domiciliary_support", "The council never arranged any care for him while he was at home."),
    # joint working: agencies failing to coordinate
    ("joint_commissioning", "There is poor coordination between the agencies involved."),
    ("joint_commissioning", "The services argue about who is meant to help us."),
    # inclusion: teachers' understanding and expectations, and school life
    ("mainstream_inclusion", "His teachers still do not understand his needs."),
    ("mainstream_inclusion", "Teachers have low expectations of disabled pupils."),
    ("mainstream_inclusion", "She is always left out of school trips."),
    # placements: education while a child has no school place, and finding a school
    ("placements", "He has had no alternative education for six months."),
    ("placements", "The council took a year identifying a school for her."),
    # post-16: transition planning and the benefit that replaces DLA
    ("post_16", "Planning for transitions needs to start early."),
    ("post_16", "Her DLA stopped and we had to apply for Personal Independence Payment."),
    # transport: travel buddies, a form of travel training
    ("transport", "Travel buddies would help him gain confidence."),
]

NOT_CODED = [
    # a transport team's name is not post-16
    ("post_16", "Call the School and College Transport Team if the bus is late."),
    # records passed between services are joint working, not information for families
    ("information_advice", "Patient information is not shared well between services."),
    # guidance on its own is a document, not advice to families
    ("information_advice", "Schools follow national guidance on attendance."),
    # a child described as communicative is not communication with families
    ("information_advice", "He is much more communicative since he started at the unit."),
    # a wait for a health assessment is not an EHC needs assessment
    ("ehcp_process", "Families report a wait of two years for ADHD assessments."),
    ("ehcp_process", "There are long waiting times for a sleep clinic assessment."),
    ("ehcp_process", "The assessment for autism took 40 weeks."),
    # a work or post-16 placement is not a school place
    ("placements", "My supported internship placement is at the hospital and I love it."),
    ("placements", "We were left to research post 16 placements ourselves."),
    ("placements", "A placement on a supported internship gave her real confidence."),
    # a support worker who collects a child late is not the transport service
    ("transport", "Our support worker is often late when she picks him up from school."),
    # inclusion outside school
    ("mainstream_inclusion", "We want the inclusion of parents in decisions across all services."),
    ("mainstream_inclusion", "The youth club has done a lot for social inclusion in our area."),
    # a consultation's own statements and a bank statement are not EHC statements
    ("ehcp_process", "We strongly agree with this statement and the aims behind it."),
    ("ehcp_process", "I had to send three months of bank statements with the form."),
    # a deadline alone is not the 20-week timescale
    ("ehcp_process", "The deadline for the consultation was far too short."),
    # the nearest suitable school is the transport eligibility test, not a placement concern
    ("placements", "Transport is only provided to the nearest suitable school."),
    # being offered a school place is context, unless the answer is about the placement
    ("placements", "Families should hear about transport as soon as they are offered a place."),
]


@pytest.mark.parametrize(("theme", "text"), CODED)
def test_the_theme_is_coded(classifier, nlp, theme: str, text: str):
    assert theme in coded(classifier, nlp, text)


@pytest.mark.parametrize(("theme", "text"), NOT_CODED)
def test_an_incidental_use_is_not_coded(classifier, nlp, theme: str, text: str):
    assert theme not in coded(classifier, nlp, text)


def test_a_wait_for_an_assessment_codes_ehc_plans_beside_another_term_of_the_theme(classifier, nlp):
    text = "We waited 30 weeks for the assessment and the EHCP is still not finished."
    assert "ehcp_process" in coded(classifier, nlp, text)
