"""A deterministic benchmark corpus: N stories in en, ko, ja and zh, about 1,000 words each.

The same seed always gives the same bytes. Each story is a page bundle with front matter (title, summary,
date, hero, tags, weight), headings, lists, a quote, an image and links to other stories, in real English,
Korean, Japanese and Simplified Chinese sentences. `write_corpus` makes a smallsite project (the real
templates, static files and catalogues); `write_hugo_site` makes the same pages as a Hugo project."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

LANGUAGES = ("en", "ko", "ja", "zh")

# Sentences in each language, on the campaign's theme. Paragraphs are drawn from these at random.
SENTENCES = {
    "en": [
        "Nobody expected the team from the small town to reach the final, least of all the players themselves.",
        "They trained on a frozen pond before dawn, because the only rink in the region was booked by adults.",
        "The coach had once been a teacher, and she still began every practice by asking what they had learned.",
        "When the bus broke down on the way to the tournament, the whole village drove them there in tractors.",
        "A single second separated the winner from the rest, and that second had taken eight years to earn.",
        "Her skates were borrowed from a cousin and two sizes too large, so she stuffed the toes with newspaper.",
        "The crowd fell silent as the sculler lifted his oars and waited for the ducks to cross the river.",
        "Small gestures are remembered long after the scores have been forgotten by everyone but the statisticians.",
        "In the mountains the snow arrives early, and children learn to ski before they learn to ride a bicycle.",
        "He wrote to every federation in the world asking for old equipment, and forty of them wrote back.",
        "The journalists wanted a story about defeat, but the players kept talking about what came next.",
        "Every morning the grandmother packed rice balls for the whole squad and never once missed a game.",
        "What makes an athlete great is not the medal but the distance travelled to reach the starting line.",
        "The referee later said he had never seen a team celebrate a loss with such obvious joy.",
        "On the long flight home they slept on each other's shoulders, still wearing their medals.",
        "The stadium lights came on one by one while the last runner crossed the line to a standing ovation.",
        "Years later the pond is still there, and on cold mornings you can hear the scrape of skates on it.",
        "She said the hardest part was not the training but believing that someone like her belonged there.",
    ],
    "ko": [
        "작은 마을에서 온 팀이 결승에 오르리라고는 아무도 예상하지 못했고, 선수들 자신도 마찬가지였다.",
        "지역에 하나뿐인 링크는 어른들이 예약해 두었기 때문에 그들은 새벽마다 얼어붙은 연못에서 훈련했다.",
        "코치는 원래 교사였고, 지금도 모든 훈련을 오늘 무엇을 배웠느냐는 질문으로 시작한다.",
        "대회장으로 가던 버스가 고장 나자 온 마을 사람들이 트랙터를 몰고 나와 선수들을 태워다 주었다.",
        "우승자와 나머지를 가른 것은 단 1초였고, 그 1초를 얻기까지 8년이 걸렸다.",
        "그녀의 스케이트는 사촌에게 빌린 것으로 두 치수나 컸기 때문에 앞부분을 신문지로 채워 넣었다.",
        "조정 선수가 노를 들어 올리고 오리들이 강을 건너기를 기다리자 관중석은 조용해졌다.",
        "작은 몸짓은 점수가 모두에게 잊힌 뒤에도 오래도록 기억된다.",
        "산골에는 눈이 일찍 내려서 아이들은 자전거보다 스키를 먼저 배운다.",
        "그는 전 세계 연맹에 낡은 장비를 보내 달라는 편지를 썼고, 그중 마흔 곳에서 답장이 왔다.",
        "기자들은 패배에 관한 이야기를 원했지만 선수들은 계속 다음 경기 이야기만 했다.",
        "할머니는 매일 아침 팀 전체를 위해 주먹밥을 쌌고 한 경기도 빠지지 않았다.",
        "선수를 위대하게 만드는 것은 메달이 아니라 출발선에 서기까지 걸어온 거리다.",
        "심판은 나중에, 패배를 그토록 기쁘게 축하하는 팀은 처음 보았다고 말했다.",
        "집으로 돌아오는 긴 비행 동안 그들은 메달을 건 채 서로의 어깨에 기대어 잠들었다.",
        "마지막 주자가 기립 박수 속에 결승선을 통과하는 동안 경기장의 조명이 하나씩 켜졌다.",
        "몇 해가 지난 지금도 그 연못은 그대로 있고, 추운 아침이면 스케이트 날이 얼음을 긁는 소리가 들린다.",
        "그녀는 가장 어려웠던 것은 훈련이 아니라 자기 같은 사람도 그곳에 설 자격이 있다고 믿는 일이었다고 말했다.",
    ],
    "ja": [
        "小さな町のチームが決勝に進むとは誰も思っていなかったし、選手たち自身もそうだった。",
        "地域に一つしかないリンクは大人たちに予約されていたので、彼らは夜明け前の凍った池で練習した。",
        "コーチはもともと教師で、今でも練習のたびに「今日は何を学んだか」と尋ねることから始める。",
        "大会へ向かうバスが故障すると、村じゅうの人がトラクターで選手たちを会場まで送り届けた。",
        "優勝者とほかの選手を分けたのはわずか一秒で、その一秒を手に入れるのに八年かかった。",
        "彼女のスケート靴はいとこから借りたもので、二サイズも大きかったため、つま先に新聞紙を詰めた。",
        "漕ぎ手がオールを上げ、カモの親子が川を渡り終えるのを待つと、観客席は静まり返った。",
        "小さなしぐさは、得点が統計係以外の誰からも忘れられたあとも、長く記憶に残る。",
        "山あいでは雪が早く降るので、子どもたちは自転車より先にスキーを覚える。",
        "彼は世界中の連盟に古い用具を譲ってほしいと手紙を書き、そのうち四十の連盟から返事が届いた。",
        "記者たちは敗北の物語を求めていたが、選手たちは次の試合のことばかり話していた。",
        "祖母は毎朝チーム全員のためにおにぎりを作り、一度も試合を見逃さなかった。",
        "選手を偉大にするのはメダルではなく、スタートラインに立つまでに歩んできた道のりだ。",
        "審判はのちに、負けをこれほど喜んで祝うチームは見たことがないと語った。",
        "帰りの長いフライトでは、みなメダルを首にかけたまま互いの肩にもたれて眠った。",
        "最後の走者が総立ちの拍手の中でゴールすると、スタジアムの照明がひとつずつ灯った。",
        "何年たった今もその池は残っていて、寒い朝にはスケートの刃が氷を削る音が聞こえる。",
        "いちばん難しかったのは練習ではなく、自分のような者もそこにいていいと信じることだったと彼女は言った。",
    ],
    "zh": [
        "没有人想到这支来自小镇的队伍能打进决赛，连队员们自己也没想到。",
        "地区唯一的冰场被大人们订满了，所以他们每天天亮前在结冰的池塘上训练。",
        "教练以前是一名教师，至今每次训练开始时仍会先问大家今天学到了什么。",
        "前往比赛的大巴在路上抛锚后，全村人开着拖拉机把队员们送到了赛场。",
        "冠军与其他选手之间只差一秒，而这一秒花了整整八年才赢得。",
        "她的冰鞋是从表姐那里借来的，大了两码，于是她在鞋尖里塞满了报纸。",
        "赛艇选手举起船桨，等一群鸭子游过河面，看台上顿时鸦雀无声。",
        "小小的举动，在比分被除了统计员以外的所有人遗忘之后，依然会被长久铭记。",
        "山区的雪来得早，孩子们还没学会骑自行车就先学会了滑雪。",
        "他给世界各地的体育联合会写信，请求捐赠旧器材，其中四十个联合会给他回了信。",
        "记者们想写一个关于失败的故事，可队员们一直在谈论下一场比赛。",
        "奶奶每天早上都为全队包饭团，一场比赛也没有错过。",
        "成就一名运动员的不是奖牌，而是他为了站上起跑线所走过的路。",
        "裁判后来说，他从没见过哪支队伍如此开心地庆祝一场失利。",
        "在漫长的回程航班上，他们戴着奖牌，靠在彼此的肩膀上睡着了。",
        "最后一名选手在全场起立鼓掌中冲过终点时，体育场的灯一盏接一盏地亮了起来。",
        "多年以后，那个池塘依然还在，寒冷的早晨仍能听到冰刀刮过冰面的声音。",
        "她说最难的不是训练，而是相信像她这样的人也有资格站在那里。",
    ],
}

HEADINGS = {
    "en": ["Before dawn", "The long road", "A borrowed pair of skates", "What the crowd saw", "Afterwards"],
    "ko": ["새벽이 오기 전", "먼 길", "빌린 스케이트", "관중이 본 것", "그 후"],
    "ja": ["夜明け前", "長い道のり", "借りたスケート靴", "観客が見たもの", "その後"],
    "zh": ["黎明之前", "漫漫长路", "借来的冰鞋", "观众看到的", "后来"],
}
TITLE_WORDS = {
    "en": ["The pond", "Eight years", "The ducks", "Borrowed skates", "The last runner", "Rice balls"],
    "ko": ["연못", "8년", "오리들", "빌린 스케이트", "마지막 주자", "주먹밥"],
    "ja": ["池", "八年", "カモたち", "借りたスケート靴", "最後の走者", "おにぎり"],
    "zh": ["池塘", "八年", "鸭子", "借来的冰鞋", "最后一名选手", "饭团"],
}
LABELS = {  # read-also line, image alt, summary prefix, quote attribution
    "en": ("Read also", "A frozen pond at dawn", "A story of", "a player"),
    "ko": ("함께 읽기", "새벽의 얼어붙은 연못", "이야기:", "한 선수"),
    "ja": ("あわせて読む", "夜明けの凍った池", "物語：", "ある選手"),
    "zh": ("延伸阅读", "黎明时结冰的池塘", "故事：", "一名队员"),
}
# Sentences per paragraph and paragraphs per section: about 1,000 English words, and in Korean,
# Japanese and Chinese the same text's length (they have no spaces to count words by).
PARAGRAPHS_PER_SECTION = 3
SENTENCES_PER_PARAGRAPH = 3

SITE_TOML = """\
base_url = "https://bench.example.org/"
default_language = "en"
output_dir = "site"
{languages}"""
LANGUAGE_TOML = {
    "en": ("English", "en_GB", "en", "Small things", "A benchmark corpus"),
    "ko": ("한국어", "ko_KR", "ko", "작은 것들", "벤치마크 코퍼스"),
    "ja": ("日本語", "ja_JP", "ja", "小さなもの", "ベンチマーク用コーパス"),
    "zh": ("简体中文", "zh_Hans_CN", "zh-Hans", "小事物", "基准测试语料"),
}
HERO_SVG = ('<svg xmlns="http://www.w3.org/2000/svg" width="1200" height="630" viewBox="0 0 1200 630">'
            '<rect width="1200" height="630" fill="#{color}"/><circle cx="600" cy="315" r="{radius}" '
            'fill="#fff"/></svg>\n')


def story_name(number: int) -> str:
    return f"story-{number:05d}"


def story_markdown(number: int, lang: str, count: int, seed: int = 6) -> str:
    """One story in one language: front matter, then sections of paragraphs, a list, a quote, an image, links."""
    rng = random.Random(f"{seed}:{number}:{lang}")
    sentences = SENTENCES[lang]
    read_also, alt, summary_prefix, attribution = LABELS[lang]
    title = f"{rng.choice(TITLE_WORDS[lang])} {number}"
    others = sorted({(number + step) % count for step in (1, 7, 31)} - {number})
    date = f"{2000 + number % 19}-{1 + number % 12:02d}-{1 + number % 28:02d}"
    lines = ["---", f'title: "{title}"', f'summary: "{summary_prefix} {rng.choice(sentences)}"',
             f"date: {date}", "hero:", "  src: hero.svg", f'  alt: "{alt}"',
             f"tags: [bench, tag{number % 10}]", f"weight: {number % 5}", "---", ""]

    def paragraph() -> str:
        joiner = " " if lang in ("en", "ko") else ""
        return joiner.join(rng.choice(sentences) for _ in range(SENTENCES_PER_PARAGRAPH))

    for section, heading in enumerate(HEADINGS[lang]):
        if section:
            lines += [f"## {heading}", ""]
        for index in range(PARAGRAPHS_PER_SECTION):
            lines += [paragraph(), ""]
            if section == 1 and index == 0:
                lines += [f"- {rng.choice(sentences)}" for _ in range(4)] + [""]
            if section == 2 and index == 1:
                lines += [f"> {rng.choice(sentences)}", ">", f"> — {attribution}", ""]
            if section == 3 and index == 0:
                lines += [f"![{alt}](hero.svg)", ""]
        if section == 3:
            lines += [f"### {heading} {number}", "", paragraph(), ""]
    links = ", ".join(f"[{story_name(other)}](../{story_name(other)}/index.{lang}.md)" for other in others)
    lines += [f"{read_also}: {links}.", ""]
    return "\n".join(lines)


def home_markdown(lang: str) -> str:
    name, _, _, title, description = LANGUAGE_TOML[lang]
    return f'---\ntitle: "{title}"\nsummary: "{description}"\n---\n\n{SENTENCES[lang][12]}\n'


def write_corpus(root: Path, count: int, project: Path, seed: int = 6) -> Path:
    """A smallsite project at root with `count` stories in four languages (4 × count story pages)."""
    if root.exists():
        shutil.rmtree(root)
    for folder in ("templates", "static", "locales"):
        shutil.copytree(project / folder, root / folder)
    languages = "".join(
        f'\n[[languages]]\ncode = "{code}"\nname = "{name}"\nlocale = "{locale}"\ntag = "{tag}"\n'
        f'title = "{title}"\ndescription = "{description}"\n'
        for code, (name, locale, tag, title, description) in LANGUAGE_TOML.items())
    (root / "site.toml").write_text(SITE_TOML.format(languages=languages), encoding="utf-8")
    content = root / "content"
    content.mkdir()
    for lang in LANGUAGES:
        (content / f"index.{lang}.md").write_text(home_markdown(lang), encoding="utf-8")
    for number in range(count):
        folder = content / "stories" / story_name(number)
        folder.mkdir(parents=True)
        color = f"{(number * 2654435761) % 0xFFFFFF:06x}"
        (folder / "hero.svg").write_text(HERO_SVG.format(color=color, radius=50 + number % 200), encoding="utf-8")
        for lang in LANGUAGES:
            (folder / f"index.{lang}.md").write_text(story_markdown(number, lang, count, seed), encoding="utf-8")
    return root


def count_words(text: str, lang: str) -> int:
    """Words for English and Korean (spaces), characters / 2 for Japanese and Chinese (a common equivalence)."""
    return len(text.split()) if lang in ("en", "ko") else len(text) // 2
