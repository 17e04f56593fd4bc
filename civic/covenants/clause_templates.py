"""Clause templates for the common subjects of a compound's micro-covenant (微公约), to start from.

Pure data. The texts are in Chinese, as the covenants themselves are; drafters adapt them (the hours,
the places) to their compound. `title` is an English msgid naming the subject on the template picker.
"""

from __future__ import annotations

from dataclasses import dataclass

from civic.i18n import N_

# The subjects a clause may be filed under (the template picker, filters, the clause's label).
SUBJECTS: dict[str, str] = {
    "pets": N_("Pets"),
    "parking": N_("Parking"),
    "noise": N_("Noise"),
    "rubbish": N_("Rubbish sorting"),
    "height": N_("Objects thrown from height"),
    "shared_spaces": N_("Shared spaces"),
    "renovation": N_("Renovation hours"),
    "other": N_("Other"),
}


@dataclass(frozen=True)
class ClauseTemplate:
    key: str
    subject: str
    title: str  # msgid
    heading: str  # the clause's own heading, in Chinese
    text: str


CLAUSE_TEMPLATES: dict[str, ClauseTemplate] = {t.key: t for t in (
    ClauseTemplate(
        "pets", "pets", SUBJECTS["pets"], "文明养犬",
        "养犬人出户遛犬时为犬只束犬绳、挂犬牌，由成年人牵领，乘电梯时主动避让他人，不进入儿童游乐场地。"
        "犬只在楼道、绿地等公共区域的粪便由养犬人当即清理。犬只吠叫影响邻居休息的，养犬人及时制止。",
    ),
    ClauseTemplate(
        "parking", "parking", SUBJECTS["parking"], "有序停车",
        "机动车按划定的车位停放，不占用消防通道、单元出入口和绿地。"
        "电动自行车停放在集中车棚并在充电桩充电，不推进楼道、不进电梯、不私拉电线充电。",
    ),
    ClauseTemplate(
        "noise", "noise", SUBJECTS["noise"], "邻里安宁",
        "每日12时至14时、22时至次日7时，不在室内外进行产生噪声的活动。"
        "广场舞、健身等活动在指定场地开展，音响音量以不影响周边居民休息为限。",
    ),
    ClauseTemplate(
        "rubbish", "rubbish", SUBJECTS["rubbish"], "垃圾分类",
        "生活垃圾按可回收物、有害垃圾、厨余垃圾和其他垃圾分类，在定时定点投放时段内投放，厨余垃圾破袋投放。"
        "大件垃圾和装修垃圾堆放到物业指定地点，不随意丢弃。",
    ),
    ClauseTemplate(
        "height", "height", SUBJECTS["height"], "杜绝高空抛物",
        "不从窗户、阳台向外抛掷任何物品，阳台和窗台上的花盆、杂物做好固定或移入室内，大风天气前自查一次。"
        "发现高空抛物、坠物隐患的，及时劝阻并报告物业或社区。",
    ),
    ClauseTemplate(
        "shared_spaces", "shared_spaces", SUBJECTS["shared_spaces"], "爱护公共空间",
        "楼道、屋顶、架空层等公共部位不堆放杂物、不私搭乱建、不圈地种菜。"
        "爱护小区的健身器材、座椅和绿化，损坏的照价赔偿。",
    ),
    ClauseTemplate(
        "renovation", "renovation", SUBJECTS["renovation"], "装修时间",
        "房屋装修开工前到物业登记。敲打、切割、电钻等产生噪声的作业只在工作日8时至12时、14时至18时进行，"
        "周末和法定节假日不进行。装修垃圾袋装后运到指定地点。",
    ),
)}
